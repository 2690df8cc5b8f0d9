/** Every `pdmer` sub-command, in `pdmer --help` order. Owners add one import + one entry. */
import type { Command } from '../command';

export const COMMANDS: Command[] = [];
