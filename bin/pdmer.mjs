#!/usr/bin/env node
// `pdmer` command line. Runs the TypeScript sources through tsx (no build step), so
// `npx pdmer ...` and `npm run serve -- ...` work straight from a clone.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src-main/cli/main.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
