import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { questionJsonSchema } from './schema.ts';

describe('the JSON Schema shipped for users', () => {
  it('matches the question model (regenerate with: npm run schema)', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../../../schema/question.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(questionJsonSchema());
  });

  it('refuses fields the model does not know, as kenri check does', () => {
    const schema = questionJsonSchema() as { additionalProperties?: boolean; required?: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['asOf', 'image', 'device']));
  });
});
