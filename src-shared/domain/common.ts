import { z } from 'zod';

/** Bounded strings so a hostile payload cannot make the main process allocate without limit. */
export const ShortText = z.string().max(1_000);
/** A filesystem path as the user's OS gives it (long unicode names allowed, 4096 bytes is Linux PATH_MAX). */
export const PathSchema = z.string().min(1).max(4_096);
export const IdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const JobIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
