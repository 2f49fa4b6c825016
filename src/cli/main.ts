import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerEsu } from './commands/esu.ts';
import { registerEsuCheck } from './commands/esu-check.ts';
import { registerExplain } from './commands/explain.ts';
import { registerFleet } from './commands/fleet.ts';
import { registerImport } from './commands/import.ts';
import { registerMak } from './commands/mak.ts';
import { registerPlan } from './commands/plan.ts';
import { registerSchema } from './commands/schema.ts';
import { EXIT, reportError } from './exit.ts';

const program = new Command('kenri')
  .description('kenri (権利): what Microsoft licensing lets you do with your devices, clause by clause')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

registerCheck(program);
registerExplain(program);
registerSchema(program);
registerFleet(program);
registerImport(program);
registerDemo(program);
registerPlan(program);
registerEsu(program);
registerEsuCheck(program);
registerMak(program);
registerDeploy(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : EXIT.usage;
  } else {
    process.exitCode = reportError(e);
  }
}
