import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { QuestionInput } from '../../model/facts.ts';

/** JSON Schema of the question format, for editors and for users' own validation. */
export const questionJsonSchema = () =>
  z.toJSONSchema(QuestionInput, { io: 'input', unrepresentable: 'any' });

export const registerSchema = (program: Command): void => {
  program
    .command('schema')
    .description('print (or write) the JSON Schema of question files')
    .option('--out <dir>', 'write question.schema.json into this folder')
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(questionJsonSchema(), null, 2)}\n`;
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'question.schema.json'), text);
      process.stdout.write(`${join(opts.out, 'question.schema.json')}\n`);
    });
};
