import { usersTable } from '../../store/tables.ts';
import { checkWith, type ImportKindHandler, nullable, target, z } from './kind.ts';

const UserRowInput = z.strictObject({
  key: z.string().min(1),
  name: z.string().optional(),
  email: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'not an email address')
    .optional(),
});

export const usersKind: ImportKindHandler = {
  targets: (columns) => [
    target(usersTable, ['key', ...(['name', 'email'] as const).filter((c) => columns.has(c))]),
  ],
  keyColumn: () => 'key',
  read: (r) => {
    const row = checkWith(
      r,
      UserRowInput,
      { key: r.get('key'), name: r.get('name'), email: r.get('email') },
      {},
    );
    if (!row) return undefined;
    return { users: { key: row.key, name: nullable(row.name), email: nullable(row.email) } };
  },
};
