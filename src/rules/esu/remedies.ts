import { type EsuYear, esu, esuYearWindow } from '../../data/esu.ts';
import type { Remedy } from '../../engine/rule.ts';

const buyYear = (year: EsuYear): Remedy => {
  const w = esuYearWindow(year);
  return {
    id: `buy-esu-year-${year}`,
    clauses: ['ESU-03', 'ESU-06', 'ESU-10'],
    text: {
      ja: `このデバイスに Windows 7 ESU 第 ${year} 年度 (${w.from} 〜 ${w.to}) を購入する。注文は自動更新されないので、次の年度も期限前に改めて注文する`,
      en: `Buy Windows 7 ESU year ${year} (${w.from} to ${w.to}) for this device; orders do not renew by themselves, so order each next year before it starts`,
    },
    buy: { what: 'esu-year', assignment: 'device' },
  };
};

const kbs = esu.prerequisites.map((p) => p.kb).join(', ');

/** What to do about an ESU answer; built once from the dated data. */
export const remedies = {
  buyYear: { 1: buyYear(1), 2: buyYear(2), 3: buyYear(3) } as const satisfies Record<EsuYear, Remedy>,
  installPrerequisites: {
    id: 'install-esu-prerequisites',
    clauses: ['ESU-12'],
    text: {
      ja: `ESU キーを入れる前に必須の更新プログラム (${kbs}) を適用し、インストール済みか確認する (Get-HotFix に表示されないことがある)`,
      en: `Apply the prerequisite updates (${kbs}) before the ESU key, and confirm they are installed (Get-HotFix may not list them)`,
    },
  },
  installAndActivateKey: {
    id: 'install-and-activate-esu-key',
    clauses: ['ESU-13', 'ESU-15'],
    text: {
      ja: 'ESU MAK キーをインストールして認証する: slmgr /ipk <キー>、slmgr /dlv でライセンス認証 ID を確認、slmgr /ato <その年度のライセンス認証 ID> (kenri の展開キットでスクリプトを生成できる)',
      en: "Install and activate the ESU MAK key: slmgr /ipk <key>, slmgr /dlv to confirm the activation ID, slmgr /ato <the year's activation ID> (kenri's deployment kit writes the script)",
    },
  },
  upgradeWindows: {
    id: 'upgrade-to-supported-windows',
    clauses: ['ESU-02', 'ESU-05'],
    text: {
      ja: 'サポート中の Windows (PC のライセンスどおりの Windows 10/11 など) にアップグレードする。2023-01-10 以降 Windows 7 の ESU はない',
      en: 'Upgrade to a supported Windows (the Windows 10/11 the PC is licensed for, say); there is no Windows 7 ESU after 2023-01-10',
    },
  },
  licenceTheDevice: {
    id: 'license-windows-on-device',
    clauses: ['ESU-05'],
    text: {
      ja: 'デバイスが実行している Windows のライセンスを取得するか、ライセンスのある Windows に入れ替える',
      en: 'License the Windows the device runs, or replace it with the Windows it is licensed for',
    },
  },
  moveToEligibleEdition: {
    id: 'move-to-esu-eligible-edition',
    clauses: ['ESU-02'],
    text: {
      ja: 'ESU の対象エディション (Professional または Enterprise) に移行するか、サポート中の Windows にアップグレードする',
      en: 'Move to an ESU-eligible edition (Professional or Enterprise), or upgrade to a supported Windows',
    },
  },
} as const;
