import { toQuestion } from '../src/model/normalise.ts';
import type { Question } from '../src/model/question.ts';

/** Mulberry32: a small seeded generator, so every run of a benchmark sees the same fleet. */
export const seeded = (seed: number) => () => {
  seed += 0x6d2b79f5;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const vendors = ['Dell', 'HP', 'Lenovo', 'Fujitsu', 'NEC', 'Panasonic'];
const languages = ['ja-JP', 'ja-JP', 'ja-JP', 'en-US', 'fr-FR'];
const windowsVersions = ['7', '8.1', '10', '10', '10', '11'];

/** Raw question input for one generated device, covering every medium and the common fleet shapes. */
export const rawQuestion = (rand: () => number, i: number): Record<string, unknown> => {
  const vendor = pick(rand, vendors);
  const lang = pick(rand, languages);
  const osVersion = pick(rand, windowsVersions);
  const licences: Record<string, unknown>[] = [];
  const roll = rand();
  if (roll < 0.85)
    licences.push({
      id: 'oem',
      channel: 'oem',
      product: 'windows',
      edition: rand() < 0.9 ? 'pro' : 'home',
      version: osVersion,
      // Asset lists often lack the language of the preinstalled licence: such devices get conditional verdicts.
      ...(rand() < 0.1 ? {} : { language: lang }),
      oemVendor: vendor,
    });
  else
    licences.push({
      id: 'fpp',
      channel: 'fpp',
      product: 'windows',
      edition: 'pro',
      version: osVersion,
      language: lang,
    });
  if (rand() < 0.5)
    licences.push({
      id: 'ea-ent',
      channel: 'volume',
      programme: 'ea',
      agreementNumber: '7654321',
      product: 'windows',
      edition: 'enterprise',
      version: '11',
      softwareAssurance: rand() < 0.7,
    });
  if (rand() < 0.3)
    licences.push({
      id: 'office',
      ...(rand() < 0.5
        ? { channel: 'oem' }
        : { channel: 'volume', programme: 'open-license', agreementNumber: 'OL-1', quantity: 50 }),
      product: 'office',
      edition: pick(rand, ['standard', 'professional-plus']),
      version: '2019',
      language: lang,
    });
  const media = pick(rand, [
    'volume',
    'volume',
    'volume',
    'volume',
    'oem-recovery',
    'oem-custom',
    'fpp',
  ] as const);
  const imageProduct = rand() < 0.85 ? 'windows' : 'office';
  const image =
    imageProduct === 'windows'
      ? {
          media,
          product: 'windows',
          edition: pick(rand, ['pro', 'enterprise', 'enterprise']),
          version: pick(rand, ['7', '10', '11']),
          language: pick(rand, languages),
        }
      : {
          media,
          product: 'office',
          edition: pick(rand, ['standard', 'professional-plus']),
          version: '2019',
          language: lang,
        };
  const users =
    rand() < 0.2
      ? [
          {
            id: `u${i}`,
            licences: [
              {
                channel: 'volume',
                programme: 'csp',
                assignment: 'user',
                product: 'windows',
                edition: 'enterprise',
                version: '11',
                expires: pick(rand, ['2023-12-31', '2027-03-31']),
              },
            ],
          },
        ]
      : [];
  return {
    asOf: pick(rand, ['2019-06-01', '2020-01-14', '2020-01-15', '2021-06-01', '2024-03-01', '2026-11-22']),
    image: {
      id: `img-${vendor}-${media}`,
      vendor,
      modified: rand() < 0.2,
      architecture: rand() < 0.5 ? 'x64' : 'x86',
      fppLicence: media === 'fpp' ? 'fpp' : undefined,
      ...image,
    },
    device: {
      id: `PC-${String(i).padStart(7, '0')}`,
      vendor,
      licences,
      firstImagedWith: rand() < 0.7 ? `img-${vendor}-${media}` : 'img-other',
      primaryUser: users.length ? `u${i}` : undefined,
      esuYears: rand() < 0.3 ? [1, 2] : [],
    },
    users,
    organisation: {
      licences: [
        {
          channel: 'volume',
          programme: 'ea',
          agreementNumber: '7654321',
          product: 'windows',
          edition: 'pro',
          version: '11',
        },
      ],
    },
    openUsage: { 'OL-1': Math.floor(rand() * 60) },
  };
};

export const generateQuestions = (count: number, seed = 42): Question[] => {
  const rand = seeded(seed);
  const out: Question[] = new Array(count);
  let shared: Question['organisationLicences'] | undefined;
  for (let i = 0; i < count; i++) {
    const q = toQuestion(rawQuestion(rand, i));
    // One organisation: its agreement licences are the same objects for every device, as in a real fleet.
    shared ??= q.organisationLicences;
    out[i] = {
      asOf: q.asOf,
      image: q.image,
      device: q.device,
      organisationLicences: shared,
      imagedBy: q.imagedBy,
      openUsage: q.openUsage,
    };
  }
  return out;
};
