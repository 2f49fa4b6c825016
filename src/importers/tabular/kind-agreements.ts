import { IsoDate, Programme } from '../../model/facts.ts';
import { agreementsTable } from '../../store/tables.ts';
import { checkWith, type ImportKindHandler, nullable, target, z } from './kind.ts';

const AgreementRowInput = z.strictObject({
  number: z.string().min(1),
  programme: Programme,
  starts: IsoDate.optional(),
  ends: IsoDate.optional(),
  softwareAssurance: z.boolean().optional(),
  customerName: z.string().optional(),
  contact: z.string().optional(),
});

const columnOf = { softwareAssurance: 'software_assurance', customerName: 'customer_name' };

export const agreementsKind: ImportKindHandler = {
  targets: (columns) => [
    target(
      agreementsTable,
      [
        'number',
        'programme',
        ...(['starts', 'ends', 'contact'] as const).filter((c) => columns.has(c)),
        ...(columns.has('software_assurance') ? (['softwareAssurance'] as const) : []),
        ...(columns.has('customer_name') ? (['customerName'] as const) : []),
      ],
      ['softwareAssurance'],
    ),
  ],
  keyColumn: () => 'number',
  read: (r) => {
    const row = checkWith(
      r,
      AgreementRowInput,
      {
        number: r.get('number'),
        programme: r.get('programme'),
        starts: r.get('starts'),
        ends: r.get('ends'),
        softwareAssurance: r.get<boolean>('software_assurance'),
        customerName: r.get('customer_name'),
        contact: r.get('contact'),
      },
      columnOf,
    );
    if (!row) return undefined;
    if (row.starts && row.ends && row.ends < row.starts) {
      r.issue('ends', `ends (${row.ends}) before it starts (${row.starts})`);
      return undefined;
    }
    return {
      agreements: {
        number: row.number,
        programme: row.programme,
        starts: nullable(row.starts),
        ends: nullable(row.ends),
        softwareAssurance: row.softwareAssurance ?? false,
        customerName: nullable(row.customerName),
        contact: nullable(row.contact),
      },
    };
  },
};
