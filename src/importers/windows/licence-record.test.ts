import { describe, expect, it } from 'vitest';
import { ParseError } from './licence-record.ts';

describe('ParseError', () => {
  it('carries the line and says where in its message', () => {
    const error = new ParseError('expected slmgr output', 7);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ParseError');
    expect(error.line).toBe(7);
    expect(error.message).toBe('line 7: expected slmgr output');
  });
});
