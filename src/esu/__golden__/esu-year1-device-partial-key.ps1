# ============================================================================
# kenri: Windows 7 ESU year 1 - install and activate the ESU MAK key (ESU-13)
# kenri: Windows 7 ESU 第 1 年度 - ESU MAK キーのインストールとライセンス認証 (ESU-13)
# Device / 端末: OSK-PC-0701
# Activation ID / ライセンス認証 ID: 77db037b-95c3-48d7-a3ab-a9c6d41093e0
# Coverage / 対象期間: 2020-01-15 .. 2021-01-12
#
# Run as administrator on the Windows 7 device, after the prerequisite updates (ESU-12):
# 管理者として実行してください。先に必須の更新プログラムを適用しておきます (ESU-12):
#   KB4519976, KB4516655, KB4474419, KB4490628, KB4538483
# SCCM or VAMT can deploy the key instead (ESU-13).
# SCCM やボリューム ライセンス認証管理ツール (VAMT) でも展開できます (ESU-13)。
# Use the organisation's ESU MAK key ending in 6789N.
# 組織の ESU MAK キー (末尾 6789N) を使います。
# ============================================================================
param(
  [string]$EsuKey = '<ESU-MAK-KEY>'
)

$ErrorActionPreference = 'Stop'
$ActivationId = '77db037b-95c3-48d7-a3ab-a9c6d41093e0'

function Stop-Step([int]$Step, [string]$En, [string]$Ja, $Code) {
  if ($null -ne $Code) { Write-Host ('ERROR [{0}/4] exit code 0x{1:X8}' -f $Step, $Code) } else { Write-Host ('ERROR [{0}/4]' -f $Step) }
  Write-Host $En
  Write-Host $Ja
  exit 1
}

# slmgr /ipk prints the whole key: show any output with only its last five characters.
# slmgr /ipk はキー全体を表示するため、末尾 5 文字以外を伏せて表示します。
function Hide-Key($Lines) {
  $Lines | ForEach-Object { "$_" -replace '([0-9A-Za-z]{5}-){4}([0-9A-Za-z]{5})', '*****-*****-*****-*****-$2' }
}

if ($EsuKey -eq '<ESU-MAK-KEY>') {
  Stop-Step 1 'No ESU MAK key. Pass -EsuKey or replace <ESU-MAK-KEY> in this file.' 'ESU MAK キーがありません。-EsuKey で渡すか、このファイルの <ESU-MAK-KEY> を置き換えてください。'
}

Write-Host '[1/4] slmgr /ipk: installing the ESU MAK key / ESU MAK キーをインストールしています'
$out = & cscript.exe //nologo "$env:windir\system32\slmgr.vbs" /ipk $EsuKey
$rc = $LASTEXITCODE
if ($rc -ne 0) { Hide-Key $out | Write-Host; Stop-Step 1 'slmgr /ipk failed. Check the key and that the prerequisite updates are installed (ESU-12).' 'slmgr /ipk が失敗しました。キーと、必須の更新プログラムが適用済みかを確認してください (ESU-12)。' $rc }

Write-Host '[2/4] slmgr /dlv: confirming that activation ID 77db037b-95c3-48d7-a3ab-a9c6d41093e0 (ESU year 1) is present / ライセンス認証 ID 77db037b-95c3-48d7-a3ab-a9c6d41093e0 (ESU 第 1 年度) があることを確認しています'
$out = & cscript.exe //nologo "$env:windir\system32\slmgr.vbs" /dlv $ActivationId
$rc = $LASTEXITCODE
if ($rc -ne 0 -or -not (($out | Out-String) -match [regex]::Escape($ActivationId))) { $out | Write-Host; Stop-Step 2 'slmgr /dlv does not show activation ID 77db037b-95c3-48d7-a3ab-a9c6d41093e0: install the prerequisite updates (ESU-12) and restart.' 'slmgr /dlv にライセンス認証 ID 77db037b-95c3-48d7-a3ab-a9c6d41093e0 が表示されません。必須の更新プログラムを適用して再起動してください (ESU-12)。' }

Write-Host '[3/4] slmgr /ato: activating ESU year 1 / ESU 第 1 年度をライセンス認証しています'
& cscript.exe //nologo "$env:windir\system32\slmgr.vbs" /ato $ActivationId
$rc = $LASTEXITCODE
if ($rc -ne 0) { Stop-Step 3 'slmgr /ato failed. 0xC004C008 or 0xC004C020 mean the MAK limit is reached: removing keys does not return activations (ESU-18); request more at https://support.microsoft.com/ja-jp/supportrequestform/2afa6f15-b710-db46-909a-8346017c802f or makadd@microsoft.com (ESU-19).' 'slmgr /ato が失敗しました。0xC004C008 または 0xC004C020 は MAK の認証上限到達です。キーを削除しても数は戻りません (ESU-18)。https://support.microsoft.com/ja-jp/supportrequestform/2afa6f15-b710-db46-909a-8346017c802f または makadd@microsoft.com で上限の引き上げを申請してください (ESU-19)。' $rc }

Write-Host '[4/4] slmgr /dlv: verifying that the licence status is Licensed / ライセンスの状態が認証済みかを確認しています'
& cscript.exe //nologo "$env:windir\system32\slmgr.vbs" /dlv $ActivationId
# slmgr prints "License Status" in the display language; WMI's LicenseStatus (1 = Licensed) is the same everywhere.
# slmgr の「ライセンスの状態」は表示言語で変わるため、WMI の LicenseStatus (1 = ライセンス認証済み) で判定します。
$product = Get-WmiObject -Class SoftwareLicensingProduct -Filter "ID='$ActivationId'"
if ($null -eq $product -or $product.LicenseStatus -ne 1) { Stop-Step 4 'ESU is not licensed on this device yet; ESU updates install only once it is (ESU-15).' 'この端末の ESU はまだ認証されていません。ESU の更新は認証済みの端末にしか入りません (ESU-15)。' }
Write-Host ('OK: Windows 7 ESU year 1 is activated on ' + $env:COMPUTERNAME)
Write-Host ($env:COMPUTERNAME + ' の Windows 7 ESU 第 1 年度はライセンス認証済みです。')
exit 0
