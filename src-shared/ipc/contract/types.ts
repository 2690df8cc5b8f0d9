import type { z } from 'zod';

/** One procedure: a validated input and the output the handler promises. */
export interface ProcedureDef {
  input: z.ZodType;
  output: z.ZodType;
}
