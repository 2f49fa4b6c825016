import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Lang } from '../../engine/text.ts';
import { type IncreaseRequest, renderIncreaseRequest } from '../../esu/mak-ledger.ts';
import { ProductKey, ProductKeyError, parseProductKey } from '../../esu/product-key.ts';
import { InputError } from '../../model/input-error.ts';
import { makLimit, makRemovalKeepsCount } from '../../rules/esu/rules.ts';
import {
  activateDevice,
  addMakKey,
  makIncreaseRequest,
  makStatus,
  raiseMakLimit,
  reconcileMak,
  removeFromDevice,
} from '../../store/esu-mak.ts';
import type { PartialProfile } from '../../store/esu-profile.ts';
import { UsageError } from '../lang.ts';
import { renderText, type Table } from '../output/table.ts';
import { NoInputError } from '../read-input.ts';
import {
  actor,
  orgOf,
  parseAsOf,
  requireOrganisation,
  type StoreFlags,
  today,
  usingStore,
  withStoreOptions,
} from '../store-context.ts';
import { verdictExit } from './check.ts';
import {
  cited,
  dayFlag,
  intFlag,
  L,
  type LangFlags,
  langOf,
  print,
  printJson,
  secretFromEnv,
  withLang,
  yearFlag,
} from './esu.ts';

interface ProfileFlags {
  agreement?: string;
  customer?: string;
  contact?: string;
  contactEmail?: string;
  contactPhone?: string;
  justification?: string;
}

type Flags = StoreFlags & LangFlags & ProfileFlags & { year?: string; device?: string; on?: string };

/** Who asks Microsoft for more activations (RR-Q8); the organisation's CSP agreement fills the rest. */
const withProfile = (cmd: Command): Command =>
  cmd
    .option('--agreement <number>', 'agreement number for the request (default: the CSP agreement on record)')
    .option('--customer <name>', 'customer name (default: from the agreement)')
    .option('--contact <name>', 'contact person (default: from the agreement)')
    .option('--contact-email <email>', "contact's e-mail")
    .option('--contact-phone <phone>', "contact's phone")
    .option('--justification <text>', 'business justification (e.g. reimaging replaced PCs)');

const profileOf = (f: ProfileFlags): PartialProfile => ({
  agreementNumber: f.agreement,
  customerName: f.customer,
  contactName: f.contact,
  contactEmail: f.contactEmail,
  contactPhone: f.contactPhone,
});

const KEY_SHAPE = /[A-Za-z0-9]{5}(?:[-‐－ー][A-Za-z0-9]{5}){4}/g;

/**
 * The key from a file that holds only the key, or the one key in a pasted CSP notice (ESU-20). Errors never
 * repeat the text: it may be a real key mistyped.
 */
const keyFromText = (text: string, where: string): ProductKey => {
  const attempt = (t: string): ProductKey | Error => {
    try {
      return parseProductKey(t);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  };
  const whole = attempt(text);
  if (whole instanceof ProductKey) return whole;
  const found = text.normalize('NFKC').match(KEY_SHAPE) ?? [];
  const one = found.length === 1 && found[0] !== text.trim() ? attempt(found[0]!) : undefined;
  if (one instanceof ProductKey) return one;
  const why = one ?? whole;
  throw new InputError([
    {
      path: 'key',
      message: `${where}: ${why instanceof ProductKeyError ? why.message : 'not a product key'}${found.length > 1 ? ` (${found.length} keys found: give one)` : ''}`,
    },
  ]);
};

/** Reads a line from the terminal without echoing it, or everything piped in. */
const readStdin = (prompt: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = process.stdin;
    stdin.setEncoding('utf8');
    if (!stdin.isTTY) {
      let data = '';
      stdin.on('data', (chunk: string) => {
        data += chunk;
      });
      stdin.on('end', () => resolve(data));
      stdin.on('error', reject);
      return;
    }
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let line = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    stdin.on('data', onData);
  });

const readKey = async (flags: { keyFile?: string; keyStdin?: boolean }, lang: Lang): Promise<ProductKey> => {
  if ((flags.keyFile === undefined) === !flags.keyStdin)
    throw new UsageError('give the key with exactly one of --key-file FILE or --key-stdin');
  if (flags.keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.keyFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new NoInputError(
        code === 'ENOENT' ? `${flags.keyFile}: no such file` : `${flags.keyFile}: cannot be read (${code})`,
      );
    }
    return keyFromText(text, flags.keyFile);
  }
  return keyFromText(
    await readStdin(L(lang, 'ESU MAK キー (表示されません): ', 'ESU MAK key (not shown): ')),
    'stdin',
  );
};

const requestLines = (r: IncreaseRequest, lang: Lang): string[] => [
  '',
  renderIncreaseRequest(r, lang),
  ...(r.missing.length
    ? [
        L(
          lang,
          `未記入: ${r.missing.join(', ')} (--agreement/--customer/--contact/--contact-email/--contact-phone、または CSP 契約の取り込み)`,
          `Still to fill in: ${r.missing.join(', ')} (--agreement/--customer/--contact/--contact-email/--contact-phone, or import the CSP agreement)`,
        ),
      ]
    : []),
];

export const registerMak = (program: Command): void => {
  const cmd = program
    .command('mak')
    .description(
      "the organisation's Windows 7 ESU MAK key: enter it, count activations against its limit, ask for more",
    );

  withLang(
    withStoreOptions(
      cmd
        .command('add')
        .description('enter the ESU MAK key from the CSP activation notice (ESU-20); stored encrypted')
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .option('--key-file <file>', 'a file holding the key (or the notice with one key in it)')
        .option('--key-stdin', 'read the key from standard input, not echoed')
        .requiredOption('--notice-date <date>', 'the day the CSP activation notice arrived (YYYY-MM-DD)'),
    ),
  ).action(async (flags: Flags & { keyFile?: string; keyStdin?: boolean; noticeDate?: string }) => {
    const lang = langOf(flags);
    const year = yearFlag(flags.year);
    const noticeReceivedOn = dayFlag('--notice-date', flags.noticeDate);
    // The secret first: nobody should type the key only to learn it cannot be stored.
    const secret = secretFromEnv();
    const key = await readKey(flags, lang);
    await usingStore(flags, async (db) => {
      const org = orgOf(flags);
      await requireOrganisation(db, org);
      const r = await addMakKey(db, org, { year, key, secret, noticeReceivedOn }, actor());
      if (flags.json) printJson(r);
      else if (!r.ok) print([`${r.text[lang]}${cited(r.cites)}`]);
      else
        print([
          r.created
            ? L(
                lang,
                `第 ${year} 年度の ESU MAK キー (末尾 ${r.partialKey}) を暗号化して登録した`,
                `Year ${year} ESU MAK key (ending ${r.partialKey}) stored, encrypted`,
              )
            : L(
                lang,
                `第 ${year} 年度の ESU MAK キー (末尾 ${r.partialKey}) は登録済み。変更なし`,
                `Year ${year} ESU MAK key (ending ${r.partialKey}) was already stored; nothing changed`,
              ),
          L(
            lang,
            `認証上限は第 ${year} 年度の ESU ライセンス数 (注文の合計) で決まる${cited(r.cites)}`,
            `Its activation limit is the year ${year} ESU licences ordered${cited(r.cites)}`,
          ),
        ]);
      if (!r.ok) process.exitCode = verdictExit.denied;
    });
  });

  withLang(
    withProfile(
      withStoreOptions(
        cmd
          .command('activate')
          .description(
            'count a device against the key (exit 1 when the limit refuses it, with the increase request)',
          )
          .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
          .requiredOption('--device <key>', 'the device')
          .option('--on <date>', 'the day it was activated (default today)'),
      ),
    ),
  ).action((flags: Flags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const year = yearFlag(flags.year);
      await requireOrganisation(db, orgOf(flags));
      const r = await activateDevice(db, orgOf(flags), year, flags.device!, parseAsOf(flags.on), {
        actor: actor(),
        profile: profileOf(flags),
        justification: flags.justification,
      });
      if (flags.json) printJson({ ...r, ledger: undefined });
      else if (r.outcome === 'refused')
        print([
          `${r.text[lang]}${cited(r.cites)}`,
          ...(r.note ? [r.note[lang]] : []),
          ...requestLines(r.increaseRequest, lang),
        ]);
      else {
        const used = r.ledger.activations.length;
        print([
          r.outcome === 'activated'
            ? L(
                lang,
                `${flags.device} を第 ${year} 年度のキー (末尾 ${r.ledger.partialKey}) で認証済みとして記録した: ${used}/${r.ledger.limit} 使用、残り ${r.remaining}`,
                `${flags.device} counted against the year ${year} key (ending ${r.ledger.partialKey}): ${used}/${r.ledger.limit} used, ${r.remaining} left`,
              )
            : L(
                lang,
                `${flags.device} は認証済みとして数えられている。新たな認証は使わない: ${used}/${r.ledger.limit} 使用、残り ${r.remaining}`,
                `${flags.device} is already counted; no new activation is used: ${used}/${r.ledger.limit} used, ${r.remaining} left`,
              ),
          `${cited(r.cites).trim()}`,
        ]);
      }
      if (r.outcome === 'refused') process.exitCode = verdictExit.denied;
    }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('remove')
        .description('record the key taken off a device: the activation stays counted (ESU-18)')
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .requiredOption('--device <key>', 'the device')
        .option('--on <date>', 'the day it was removed (default today)'),
    ),
  ).action((flags: Flags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      await requireOrganisation(db, orgOf(flags));
      const r = await removeFromDevice(
        db,
        orgOf(flags),
        yearFlag(flags.year),
        flags.device!,
        parseAsOf(flags.on),
        actor(),
      );
      if (flags.json) printJson({ text: r.text, activationsUsed: r.activationsUsed, cites: r.cites });
      else print([`${r.text[lang]}${cited(r.cites)}`]);
    }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('status')
        .description(
          'per year: the partial key, the limit set by the licences bought, used and left (ESU-17, ESU-18)',
        )
        .option('--year <n>', 'one ESU year'),
    ),
  ).action((flags: Flags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      const org = orgOf(flags);
      await requireOrganisation(db, org);
      const years = await makStatus(db, org, flags.year === undefined ? undefined : yearFlag(flags.year));
      if (flags.json) return printJson({ org, years });
      const table: Table = {
        title: L(lang, `ESU MAK キー (${org})`, `ESU MAK keys of ${org}`),
        columns: [
          { key: 'year', label: L(lang, '年度', 'year') },
          { key: 'key', label: L(lang, 'キー (末尾)', 'key (ending)') },
          { key: 'notice', label: L(lang, '開通案内', 'notice') },
          { key: 'ordered', label: L(lang, '購入数', 'bought'), align: 'right' },
          { key: 'limit', label: L(lang, '上限', 'limit'), align: 'right' },
          { key: 'used', label: L(lang, '使用', 'used'), align: 'right' },
          { key: 'removed', label: L(lang, 'うち削除', 'of which removed'), align: 'right' },
          { key: 'remaining', label: L(lang, '残り', 'left'), align: 'right' },
        ],
        rows: years.map((y) => ({
          year: y.year,
          key: y.partialKey ?? L(lang, '(未登録)', '(not entered)'),
          notice: y.noticeReceivedOn ?? '-',
          ordered: y.ordered,
          limit:
            y.granted !== null && y.granted > y.ordered
              ? `${y.limit} (${L(lang, '引き上げ', 'raised')})`
              : y.limit,
          used: y.used,
          removed: y.removed,
          remaining: y.remaining,
        })),
      };
      print([
        renderText(table),
        '',
        L(
          lang,
          `上限は購入した ESU ライセンス数。キーを端末から削除しても使用数は減らない${cited([...makLimit.clauses, ...makRemovalKeepsCount.clauses])}`,
          `The limit is the ESU licences bought; removing the key from a device does not lower the count${cited([...makLimit.clauses, ...makRemovalKeepsCount.clauses])}`,
        ),
      ]);
    }),
  );

  withLang(
    withProfile(
      withStoreOptions(
        cmd
          .command('request')
          .description('the MAK limit increase request to send (ESU-19, RR-Q8), filled in')
          .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
          .requiredOption('--asked <n>', 'additional activations to ask for'),
      ),
    ),
  ).action((flags: Flags & { asked?: string }) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      await requireOrganisation(db, orgOf(flags));
      const r = await makIncreaseRequest(db, orgOf(flags), yearFlag(flags.year), {
        asked: intFlag('--asked', flags.asked),
        justification: flags.justification,
        profile: profileOf(flags),
      });
      if (flags.json) printJson(r);
      else print(requestLines(r, lang).slice(1));
    }),
  );

  withLang(
    withProfile(
      withStoreOptions(
        cmd
          .command('reconcile')
          .description(
            'count devices whose imported slmgr/CIM output shows the ESU add-on licensed, under the same limit',
          )
          .requiredOption('--year <n>', 'ESU year 1, 2 or 3'),
      ),
    ),
  ).action((flags: Flags) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      await requireOrganisation(db, orgOf(flags));
      const r = await reconcileMak(db, orgOf(flags), yearFlag(flags.year), {
        actor: actor(),
        today: today(),
        profile: profileOf(flags),
        justification: flags.justification,
      });
      if (flags.json) printJson(r);
      else {
        const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : L(lang, 'なし', 'none'));
        print([
          L(lang, `新たに数えた端末: ${list(r.added)}`, `Newly counted: ${list(r.added)}`),
          L(
            lang,
            `ESU アドオンはあるが未認証: ${list(r.notActivated)}`,
            `ESU add-on present but not activated: ${list(r.notActivated)}`,
          ),
          L(
            lang,
            `別のキーで認証済み (組織のキーは 1 つ): ${list(r.otherKey.map((o) => `${o.deviceId} (${o.partialKey})`))}`,
            `Licensed with another key (an organisation has one): ${list(r.otherKey.map((o) => `${o.deviceId} (${o.partialKey})`))}`,
          ),
          L(lang, `使用 ${r.used}/${r.limit}${cited(r.cites)}`, `Used ${r.used}/${r.limit}${cited(r.cites)}`),
          ...(r.overLimit.length
            ? [
                L(
                  lang,
                  `上限を超えるため数えられない端末: ${list(r.overLimit)}。Windows では認証済みなので、引き上げが認められていれば kenri mak raise で記録し、そうでなければ申請する`,
                  `Over the limit, not counted: ${list(r.overLimit)}. Windows shows them activated: record a granted increase with kenri mak raise, or send the request`,
                ),
                ...(r.increaseRequest ? requestLines(r.increaseRequest, lang) : []),
              ]
            : []),
        ]);
      }
      if (r.overLimit.length) process.exitCode = verdictExit.denied;
    }),
  );

  withLang(
    withStoreOptions(
      cmd
        .command('raise')
        .description('record a higher activation limit Microsoft granted (ESU-19); it never goes down')
        .requiredOption('--year <n>', 'ESU year 1, 2 or 3')
        .requiredOption('--limit <n>', 'the new limit'),
    ),
  ).action((flags: Flags & { limit?: string }) =>
    usingStore(flags, async (db) => {
      const lang = langOf(flags);
      await requireOrganisation(db, orgOf(flags));
      const ledger = await raiseMakLimit(
        db,
        orgOf(flags),
        yearFlag(flags.year),
        intFlag('--limit', flags.limit),
        actor(),
      );
      if (flags.json) printJson({ year: ledger.year, limit: ledger.limit, used: ledger.activations.length });
      else
        print([
          L(
            lang,
            `第 ${ledger.year} 年度の認証上限を ${ledger.limit} とした (使用 ${ledger.activations.length})  [ESU-19]`,
            `Year ${ledger.year} activation limit is now ${ledger.limit} (${ledger.activations.length} used)  [ESU-19]`,
          ),
        ]);
    }),
  );
};
