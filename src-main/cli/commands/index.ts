/** Every `pdmer` sub-command, in `pdmer --help` order. Owners add one import + one entry. */
import type { Command } from '../command';
import { analyzeCommand } from './analyze';
import { annotationsCommand } from './annotations';
import { importCommand } from './import';
import { listCommand } from './list';
import { serveCommand } from './serve';
import { trainCommand } from './train';
import { metaTrainCommand } from './meta-train';
import { evalCommand } from './eval';
import { adaptCommand } from './adapt';

export const COMMANDS: Command[] = [
  importCommand,
  listCommand,
  serveCommand,
  analyzeCommand,
  trainCommand,
  metaTrainCommand,
  evalCommand,
  adaptCommand,
  annotationsCommand,
];
