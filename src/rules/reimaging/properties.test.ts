import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { product, productIds, suiteComponents } from '../../catalogue/catalogue.ts';
import { Trace } from '../../engine/trace.ts';
import type { Verdict } from '../../engine/verdict.ts';
import { MEDIA, PROGRAMMES } from '../../model/facts.ts';
import { toQuestion } from '../../model/normalise.ts';
import type { Licence, Question } from '../../model/question.ts';
import { isClauseId } from '../../sources/clause-ids.ts';
import { licenceAt } from './describe.ts';
import { evaluate } from './evaluate.ts';
import { architecture } from './rules.ts';

// Invariants of the reimaging evaluator over generated questions (STYLE.md §3). Questions are raw input
// objects, as a user would write them, turned into questions by toQuestion: every generated input is valid.

type Raw = Record<string, unknown>;
type RawLicence = Record<string, unknown> & { language?: string; muiPacks?: string[] };
type RawQuestion = {
  asOf: string;
  image: Raw & { language: string; muiPacks?: string[]; architecture?: string };
  device: Raw & { licences: RawLicence[] };
  users: { id: string; licences: RawLicence[] }[];
  organisation: { licences: RawLicence[] };
  imagedBy: string;
  openUsage: Record<string, number>;
};

/** 250 keeps the file near 3 s; KENRI_PROPERTY_RUNS=20000 for a deeper search. */
const RUNS = Number(process.env.KENRI_PROPERTY_RUNS ?? 250);

// The catalogue's real identities: every product, version and the editions sold at that version.
const identities = productIds().flatMap((p) =>
  product(p).versions.flatMap((v) =>
    product(p)
      .editions.filter((e) => e.versions === undefined || e.versions.includes(v.id))
      .map((e) => ({ product: p, edition: e.id, version: v.id })),
  ),
);
const LANGUAGES = ['ja-JP', 'en-US', 'fr-FR', 'de-DE', 'zh-CN'] as const;
const VENDORS = ['Dell', 'Dell Inc.', 'HP', 'Lenovo', '富士通', 'NEC'] as const;
const IMAGE_IDS = ['img-a', 'img-b', 'img-c'] as const;
const AGREEMENTS = ['91230001', 'V7001234', '6543210'] as const;
const LICENCE_IDS = ['lic-1', 'lic-2', 'lic-3'] as const;
const BOUNDARIES = ['2020-01-14', '2020-01-15', '2021-01-12', '2021-01-13', '2023-01-10', '2023-01-11'];

const identity = fc.constantFrom(...identities);
const language = fc.constantFrom(...LANGUAGES);
const day = fc
  .integer({ min: 0, max: 8 * 366 })
  .map((n) => new Date(Date.UTC(2019, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
const asOf = fc.oneof(day, fc.constantFrom(...BOUNDARIES));

/** Components as given in input: none (the suite's own), the suite reordered, or a part of it. */
const components = (id: { product: string; edition: string; version: string }) => {
  const suite = suiteComponents(id.product, id.edition, id.version);
  if (!suite) return fc.constant(undefined);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.shuffledSubarray([...suite], { minLength: suite.length }) },
    { weight: 1, arbitrary: fc.subarray([...suite], { minLength: 1 }) },
  );
};

/** Drops keys whose value is undefined, so absent facts are absent (not `key: undefined`). */
const clean = <T extends Raw>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const licence = (assignment: 'device' | 'user', from?: fc.Arbitrary<(typeof identities)[number]>) =>
  (from ?? identity).chain((id) =>
    fc
      .record({
        channel:
          assignment === 'user' ? fc.constant('volume' as const) : fc.constantFrom('oem', 'fpp', 'volume'),
        programme: fc.constantFrom(...PROGRAMMES),
        softwareAssurance: fc.boolean(),
        language: fc.option(language, { nil: undefined }),
        muiPacks: fc.option(fc.subarray([...LANGUAGES], { minLength: 1, maxLength: 2 }), {
          nil: undefined,
          freq: 8,
        }),
        components: components(id),
        quantity: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
        agreementNumber: fc.option(fc.constantFrom(...AGREEMENTS), { nil: undefined }),
        id: fc.option(fc.constantFrom(...LICENCE_IDS), { nil: undefined }),
        expires: fc.option(day, { nil: undefined, freq: 4 }),
      })
      .map((l): RawLicence => {
        const volume = l.channel === 'volume';
        return clean({
          ...id,
          id: l.id,
          channel: l.channel,
          programme: volume ? l.programme : undefined,
          assignment,
          softwareAssurance: l.softwareAssurance,
          language: l.language,
          muiPacks: l.muiPacks,
          components: l.components,
          quantity: volume ? l.quantity : undefined,
          agreementNumber: volume ? l.agreementNumber : undefined,
          expires: volume ? l.expires : undefined,
        });
      }),
  );

/**
 * A whole question. The image is often the identity of one of the device's licences, and the organisation
 * often holds a volume licence of it, so that allowed verdicts are common enough to test.
 */
const anyQuestion: fc.Arbitrary<RawQuestion> = fc
  .record({
    deviceLicences: fc.array(licence('device'), { maxLength: 4 }),
    users: fc.array(fc.array(licence('user'), { maxLength: 2 }), { maxLength: 2 }),
    deviceUsers: fc.constantFrom('none', 'primary', 'all', 'first'),
  })
  .chain(({ deviceLicences, users, deviceUsers }) => {
    const own = [...deviceLicences, ...users.flat()];
    const imageIdentity =
      own.length > 0
        ? fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...own).map((l) => pickIdentity(l)) },
            { weight: 1, arbitrary: identity },
          )
        : identity;
    return fc.record({
      asOf,
      deviceLicences: fc.constant(deviceLicences),
      users: fc.constant(users),
      deviceUsers: fc.constant(deviceUsers),
      image: imageIdentity.chain((id) =>
        fc.record({
          identity: fc.constant(id),
          media: fc.constantFrom(...MEDIA),
          language:
            own.length > 0
              ? fc.oneof(fc.constantFrom(...own.map((l) => l.language ?? 'ja-JP')), language)
              : language,
          muiPacks: fc.option(fc.subarray([...LANGUAGES], { minLength: 1, maxLength: 2 }), {
            nil: undefined,
            freq: 6,
          }),
          components: components(id),
          architecture: fc.option(fc.constantFrom('x86', 'x64'), { nil: undefined }),
          id: fc.option(fc.constantFrom(...IMAGE_IDS), { nil: undefined }),
          vendor: fc.option(fc.constantFrom(...VENDORS), { nil: undefined }),
          modified: fc.option(fc.boolean(), { nil: undefined }),
          fppLicence: fc.option(fc.constantFrom(...LICENCE_IDS, 'device.licences[0]'), { nil: undefined }),
          mediaLicence: fc.option(licence('device', fc.constant(id)), { nil: undefined, freq: 3 }),
        }),
      ),
      organisation: fc.array(licence('device'), { maxLength: 2 }),
      device: fc.record({
        vendor: fc.option(fc.constantFrom(...VENDORS), { nil: undefined }),
        firstImagedWith: fc.option(fc.constantFrom(...IMAGE_IDS), { nil: undefined }),
        esuYears: fc.option(fc.subarray([1, 2, 3] as const), { nil: undefined }),
      }),
      imagedBy: fc.constantFrom('customer', 'oem', 'third-party'),
      openUsage: fc.dictionary(fc.constantFrom(...AGREEMENTS), fc.integer({ min: 0, max: 60 }), {
        maxKeys: 3,
      }),
    });
  })
  .map((g): RawQuestion => {
    const userIds = g.users.map((_, i) => `u${i}`);
    const { identity: id, mediaLicence, ...img } = g.image;
    // Organisation licences are volume licences (media rights, RR-05).
    const organisation = [...g.organisation, ...(mediaLicence ? [mediaLicence] : [])].map((l) =>
      l.channel === 'volume' ? l : { ...l, channel: 'volume', programme: 'ea' },
    );
    return {
      asOf: g.asOf,
      image: clean({ ...id, ...img }) as RawQuestion['image'],
      device: clean({
        id: 'PC-PROP',
        vendor: g.device.vendor,
        firstImagedWith: g.device.firstImagedWith,
        esuYears: g.device.esuYears,
        licences: g.deviceLicences,
        primaryUser: g.deviceUsers === 'primary' && userIds.length > 0 ? userIds[0] : undefined,
        users:
          g.deviceUsers === 'all' && userIds.length > 0
            ? userIds
            : g.deviceUsers === 'first' && userIds.length > 0
              ? userIds.slice(0, 1)
              : undefined,
      }) as RawQuestion['device'],
      users: g.users.map((licences, i) => ({ id: userIds[i]!, licences })),
      organisation: { licences: organisation },
      imagedBy: g.imagedBy,
      openUsage: g.openUsage,
    };
  });

/**
 * A question built to be allowed: the device holds a licence of exactly the image (and a qualifying OS for
 * Windows), the organisation the media rights, OEM facts match; then random licences and facts are added.
 */
const likelyAllowed: fc.Arbitrary<RawQuestion> = fc
  .record({
    id: identity,
    media: fc.constantFrom(...MEDIA),
    lang: language,
    neutral: fc.boolean(),
    channel: fc.constantFrom('oem', 'fpp', 'volume'),
    softwareAssurance: fc.boolean(),
    vendor: fc.constantFrom(...VENDORS),
    imageId: fc.constantFrom(...IMAGE_IDS),
    architecture: fc.option(fc.constantFrom('x86', 'x64'), { nil: undefined }),
    extra: fc.array(licence('device'), { maxLength: 2 }),
    users: fc.array(fc.array(licence('user'), { maxLength: 2 }), { maxLength: 2 }),
    asOf,
    imagedBy: fc.constantFrom('customer', 'oem', 'third-party'),
    // One fact left out, half of the time, so conditional verdicts are common too.
    omit: fc.oneof(
      { weight: 7, arbitrary: fc.constant('nothing') },
      {
        weight: 7,
        arbitrary: fc.constantFrom('vendor', 'image', 'firstImaged', 'modified', 'language', 'fpp', 'open'),
      },
    ),
  })
  .map((g): RawQuestion => {
    const omit = (fact: string) => g.omit === fact;
    const oemMedia = g.media === 'oem-recovery' || g.media === 'oem-custom';
    const channel =
      g.media === 'fpp'
        ? 'fpp'
        : oemMedia
          ? 'oem'
          : g.id.product === 'office' || g.id.product === 'm365-apps'
            ? 'volume'
            : g.channel;
    const volume = channel === 'volume';
    const basis: RawLicence = clean({
      ...g.id,
      id: 'lic-1',
      channel,
      programme: volume ? 'ea' : undefined,
      softwareAssurance: g.softwareAssurance,
      language: (volume && g.neutral) || omit('language') ? undefined : g.lang,
    });
    const qualifying: RawLicence[] =
      g.id.product === 'windows'
        ? [{ channel: 'oem', product: 'windows', edition: 'pro', version: '10', language: g.lang }]
        : [];
    return {
      asOf: g.asOf,
      image: clean({
        ...g.id,
        media: g.media,
        language: g.lang,
        architecture: g.architecture,
        id: oemMedia && !omit('image') ? g.imageId : undefined,
        vendor: oemMedia && !omit('image') ? g.vendor : undefined,
        modified: g.media === 'oem-recovery' && !omit('modified') ? false : undefined,
        fppLicence: g.media === 'fpp' && !omit('fpp') ? 'lic-1' : undefined,
      }) as RawQuestion['image'],
      device: clean({
        id: 'PC-PROP',
        vendor: omit('vendor') ? undefined : g.vendor,
        firstImagedWith: oemMedia && !omit('firstImaged') ? g.imageId : undefined,
        licences: [basis, ...qualifying, ...g.extra],
      }) as RawQuestion['device'],
      users: g.users.map((licences, i) => ({ id: `u${i}`, licences })),
      organisation: {
        licences: [
          omit('open')
            ? { channel: 'volume', programme: 'open-value', agreementNumber: AGREEMENTS[1], ...g.id }
            : { channel: 'volume', programme: 'ea', ...g.id },
        ],
      },
      imagedBy: g.imagedBy,
      openUsage: {},
    };
  });

const question = fc.oneof(anyQuestion, likelyAllowed);

function pickIdentity(l: RawLicence) {
  return { product: l.product as string, edition: l.edition as string, version: l.version as string };
}

const copy = <T>(x: T): T => structuredClone(x);
const judge = (raw: RawQuestion): { q: Question; v: Verdict } => {
  const q = toQuestion(copy(raw));
  return { q, v: evaluate(q, new Trace()) };
};
const basisOf = (q: Question, v: Verdict): Licence | undefined => licenceAt(q, v.basis);

/** What a verdict says, apart from the trace (which records every rule tried, notes included). */
const gist = (v: Verdict) => ({
  verdict: v.verdict,
  cites: [...v.cites],
  reasons: v.reasons.map((r) => r.rule.id),
  remedies: v.verdict === 'denied' ? v.remedies.map((m) => m.id) : [],
  missing: v.verdict === 'conditional' ? v.missing.map((m) => m.path) : [],
  basis: v.basis,
});

const deepFreeze = <T>(o: T): T => {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
};

describe('reimaging properties', () => {
  it('generates valid questions, with every verdict kind represented', () => {
    const kinds: Record<string, number> = { allowed: 0, denied: 0, conditional: 0 };
    fc.assert(
      fc.property(question, (raw) => {
        kinds[judge(raw).v.verdict]! += 1;
      }),
      { numRuns: RUNS },
    );
    // Each kind often enough that the properties about it are not vacuous.
    for (const n of Object.values(kinds)) expect(n).toBeGreaterThan(RUNS / 40);
  });

  it('(a) 32-bit, 64-bit or no architecture never changes the answer, only the RR-Q10 note (RR-Q10)', () => {
    const withArch = (raw: RawQuestion, a: 'x86' | 'x64' | undefined): RawQuestion => {
      const image = { ...raw.image };
      if (a === undefined) delete image.architecture;
      else image.architecture = a;
      return { ...raw, image };
    };
    const withoutNote = (v: Verdict) => {
      const g = gist(v);
      return {
        ...g,
        cites: g.cites.filter((c) => c !== 'RR-Q10'),
        reasons: v.reasons.filter((r) => r.rule !== architecture).map((r) => r.rule.id),
      };
    };
    fc.assert(
      fc.property(question, (raw) => {
        const [x86, x64, none] = (['x86', 'x64', undefined] as const).map((a) => judge(withArch(raw, a)).v);
        expect(withoutNote(x64!)).toEqual(withoutNote(x86!));
        expect(withoutNote(none!)).toEqual(withoutNote(x86!));
        expect(none!.cites).not.toContain('RR-Q10');
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) an allowed image in another language than its basis licence states is never allowed on that licence (RR-10)', () => {
    fc.assert(
      fc.property(question, language, (raw, other) => {
        const { q, v } = judge(raw);
        const basis = basisOf(q, v);
        fc.pre(v.verdict === 'allowed' && basis?.language !== undefined && basis.language !== other);
        const { q: q2, v: v2 } = judge({ ...raw, image: { ...raw.image, language: other } });
        if (v2.verdict === 'allowed') expect(basisOf(q2, v2)?.path).not.toBe(basis!.path);
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) when every licence states one language, an image in any other language is never allowed (RR-10)', () => {
    fc.assert(
      fc.property(question, language, language, (raw, stated, other) => {
        fc.pre(stated !== other);
        const state = (l: RawLicence): RawLicence => ({ ...l, language: stated });
        const base: RawQuestion = {
          ...raw,
          device: { ...raw.device, licences: raw.device.licences.map(state) },
          users: raw.users.map((u) => ({ ...u, licences: u.licences.map(state) })),
          organisation: { licences: raw.organisation.licences.map(state) },
        };
        const { v } = judge({ ...base, image: { ...base.image, language: other } });
        expect(v.verdict).not.toBe('allowed');
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) changing only the language of a denied image allows it only in the language of the new basis licence (RR-10)', () => {
    fc.assert(
      fc.property(question, language, (raw, other) => {
        const { v } = judge(raw);
        fc.pre(v.verdict === 'denied' && other !== raw.image.language);
        const { q: q2, v: v2 } = judge({ ...raw, image: { ...raw.image, language: other } });
        if (v2.verdict !== 'allowed') return;
        const basis = basisOf(q2, v2)!;
        // A volume licence that states no language is language-neutral (kenri's reading, coverage.ts).
        if (basis.language === undefined) expect(basis.channel).toBe('volume');
        else expect(basis.language).toBe(other);
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) adding an MUI pack to an allowed image never keeps it allowed when the licences state a language and carry none (RR-10)', () => {
    fc.assert(
      fc.property(question, fc.constantFrom(...LANGUAGES), (raw, mui) => {
        const plain = (l: RawLicence): RawLicence => {
          const { muiPacks: _, ...rest } = l;
          return { ...rest, language: l.language ?? raw.image.language };
        };
        const { muiPacks: _, ...image } = raw.image;
        const base: RawQuestion = {
          ...raw,
          image,
          device: { ...raw.device, licences: raw.device.licences.map(plain) },
          users: raw.users.map((u) => ({ ...u, licences: u.licences.map(plain) })),
          organisation: { licences: raw.organisation.licences.map(plain) },
        };
        fc.pre(judge(base).v.verdict === 'allowed');
        const { v } = judge({ ...base, image: { ...image, muiPacks: [mui] } });
        expect(v.verdict).not.toBe('allowed');
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) an allowed verdict rests on a licence of the same language and MUI packs, or on a language-neutral volume licence', () => {
    fc.assert(
      fc.property(question, (raw) => {
        const { q, v } = judge(raw);
        if (v.verdict !== 'allowed' || q.image.media !== 'volume') return;
        const basis = basisOf(q, v)!;
        if (basis.language === undefined) expect(basis.channel).toBe('volume');
        else expect([basis.language, basis.muiPacks]).toEqual([q.image.language, q.image.muiPacks]);
      }),
      { numRuns: RUNS },
    );
  });

  it('(d) evaluate is deterministic and pure: a frozen question gets the same verdict twice', () => {
    fc.assert(
      fc.property(question, (raw) => {
        const frozenRaw = deepFreeze(copy(raw));
        const q = deepFreeze(toQuestion(frozenRaw));
        const before = JSON.stringify(q);
        const first = evaluate(q, new Trace());
        const second = evaluate(q, new Trace());
        expect(second).toEqual(first);
        expect(gist(evaluate(q))).toEqual(gist(first));
        expect(JSON.stringify(q)).toBe(before);
        expect(toQuestion(frozenRaw)).toEqual(q);
      }),
      { numRuns: RUNS },
    );
  });

  it('(e) every verdict cites known clauses and says why: remedies when denied, missing facts when conditional', () => {
    fc.assert(
      fc.property(question, (raw) => {
        const { v } = judge(raw);
        expect(v.cites.length).toBeGreaterThan(0);
        for (const c of v.cites) expect(isClauseId(c), c).toBe(true);
        for (const r of v.reasons) for (const c of r.rule.clauses) expect(v.cites).toContain(c);
        switch (v.verdict) {
          case 'allowed':
            expect(v.reasons.length).toBeGreaterThan(0);
            break;
          case 'denied':
            expect(v.reasons.length).toBeGreaterThan(0);
            expect(v.remedies.length).toBeGreaterThan(0);
            break;
          case 'conditional':
            expect(v.reasons.length).toBeGreaterThan(0);
            expect(v.missing.length).toBeGreaterThan(0);
            for (const m of v.missing) expect(m.text.ja && m.text.en).toBeTruthy();
            break;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('(e) a conditional verdict carries at least one reason, even when only the media rule needs a fact', () => {
    const { v } = judge({
      asOf: '2024-03-01',
      image: { media: 'fpp', product: 'windows', edition: 'pro', version: '11', language: 'ja-JP' },
      device: {
        id: 'SHOP-PC-1',
        licences: [{ channel: 'fpp', product: 'windows', edition: 'pro', version: '11', language: 'ja-JP' }],
      },
      users: [],
      organisation: { licences: [] },
      imagedBy: 'customer',
      openUsage: {},
    });
    expect(v.verdict).toBe('conditional');
    expect(v.reasons.length).toBeGreaterThan(0);
  });

  it('(f) removing Software Assurance from every licence never changes the verdict (RR-Q6)', () => {
    fc.assert(
      fc.property(question, (raw) => {
        const noSa = (l: RawLicence): RawLicence => ({ ...l, softwareAssurance: false });
        const { v } = judge(raw);
        const { v: v2 } = judge({
          ...raw,
          device: { ...raw.device, licences: raw.device.licences.map(noSa) },
          users: raw.users.map((u) => ({ ...u, licences: u.licences.map(noSa) })),
          organisation: { licences: raw.organisation.licences.map(noSa) },
        });
        if (v.verdict === 'allowed') expect(v2.verdict).not.toBe('denied');
        expect(v2.verdict).toBe(v.verdict);
        expect(gist(v2).remedies).toEqual(gist(v).remedies);
      }),
      { numRuns: RUNS },
    );
  });
});
