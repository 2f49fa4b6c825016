@echo off
rem ============================================================================
rem kenri: Windows 7 ESU year 3 - install and activate the ESU MAK key (ESU-13)
rem kenri: Windows 7 ESU 第 3 年度 - ESU MAK キーのインストールとライセンス認証 (ESU-13)
rem Activation ID / ライセンス認証 ID: 4220f546-f522-46df-8202-4d07afd26454
rem Coverage / 対象期間: 2022-01-12 .. 2023-01-10
rem
rem Run as administrator on the Windows 7 device, after the prerequisite updates (ESU-12):
rem 管理者として実行してください。先に必須の更新プログラムを適用しておきます (ESU-12):
rem   KB4519976, KB4516655, KB4474419, KB4490628, KB4538483
rem SCCM or VAMT can deploy the key instead (ESU-13).
rem SCCM やボリューム ライセンス認証管理ツール (VAMT) でも展開できます (ESU-13)。
rem ============================================================================
setlocal
set "SLMGR=cscript //nologo %windir%\system32\slmgr.vbs"
set "ACTIVATION_ID=4220f546-f522-46df-8202-4d07afd26454"
rem The key: the first argument, else the value below.
rem キー: 第 1 引数。なければ下の値を使います。
set "ESU_KEY=<ESU-MAK-KEY>"
if not "%~1"=="" set "ESU_KEY=%~1"
if "%ESU_KEY%"=="<ESU-MAK-KEY>" goto :no_key

echo [1/4] slmgr /ipk: installing the ESU MAK key / ESU MAK キーをインストールしています
rem slmgr /ipk prints the whole key on success: keep its output out of the console and logs.
rem slmgr /ipk は成功時にキー全体を表示するため、出力を画面やログに残しません。
%SLMGR% /ipk %ESU_KEY% >"%TEMP%\kenri-esu-ipk.log" 2>&1
set "RC=%ERRORLEVEL%"
if not "%RC%"=="0" goto :ipk_failed
del "%TEMP%\kenri-esu-ipk.log" >nul 2>&1

echo [2/4] slmgr /dlv: confirming that activation ID 4220f546-f522-46df-8202-4d07afd26454 (ESU year 3) is present / ライセンス認証 ID 4220f546-f522-46df-8202-4d07afd26454 (ESU 第 3 年度) があることを確認しています
%SLMGR% /dlv %ACTIVATION_ID% | findstr /i /c:"%ACTIVATION_ID%" >nul
set "RC=%ERRORLEVEL%"
if not "%RC%"=="0" goto :dlv_failed

echo [3/4] slmgr /ato: activating ESU year 3 / ESU 第 3 年度をライセンス認証しています
%SLMGR% /ato %ACTIVATION_ID%
set "RC=%ERRORLEVEL%"
if not "%RC%"=="0" goto :ato_failed

echo [4/4] slmgr /dlv: verifying that the licence status is Licensed / ライセンスの状態が認証済みかを確認しています
%SLMGR% /dlv %ACTIVATION_ID%
rem slmgr prints "License Status" in the display language; WMI's LicenseStatus (1 = Licensed) is the same everywhere.
rem slmgr の「ライセンスの状態」は表示言語で変わるため、WMI の LicenseStatus (1 = ライセンス認証済み) で判定します。
wmic path SoftwareLicensingProduct where "ID='%ACTIVATION_ID%'" get LicenseStatus /value | findstr /c:"LicenseStatus=1" >nul
set "RC=%ERRORLEVEL%"
if not "%RC%"=="0" goto :not_licensed
echo OK: Windows 7 ESU year 3 is activated on %COMPUTERNAME%.
echo OK: %COMPUTERNAME% の Windows 7 ESU 第 3 年度はライセンス認証済みです。
exit /b 0

:no_key
echo ERROR: no ESU MAK key. Pass it as the first argument or replace ^<ESU-MAK-KEY^> in this file.
echo エラー: ESU MAK キーがありません。第 1 引数で渡すか、このファイルの ^<ESU-MAK-KEY^> を置き換えてください。
exit /b 1

:ipk_failed
echo ERROR [1/4] exit code %RC%
findstr /v /i /c:"%ESU_KEY%" "%TEMP%\kenri-esu-ipk.log"
del "%TEMP%\kenri-esu-ipk.log" >nul 2>&1
echo slmgr /ipk failed. Check the key and that the prerequisite updates are installed (ESU-12).
echo slmgr /ipk が失敗しました。キーと、必須の更新プログラムが適用済みかを確認してください (ESU-12)。
exit /b 1

:dlv_failed
echo ERROR [2/4]
echo slmgr /dlv does not show activation ID 4220f546-f522-46df-8202-4d07afd26454: install the prerequisite updates (ESU-12) and restart.
echo slmgr /dlv にライセンス認証 ID 4220f546-f522-46df-8202-4d07afd26454 が表示されません。必須の更新プログラムを適用して再起動してください (ESU-12)。
exit /b 1

:ato_failed
echo ERROR [3/4] exit code %RC%
echo slmgr /ato failed. 0xC004C008 or 0xC004C020 mean the MAK limit is reached: removing keys does not return activations (ESU-18); request more at https://support.microsoft.com/ja-jp/supportrequestform/2afa6f15-b710-db46-909a-8346017c802f or makadd@microsoft.com (ESU-19).
echo slmgr /ato が失敗しました。0xC004C008 または 0xC004C020 は MAK の認証上限到達です。キーを削除しても数は戻りません (ESU-18)。https://support.microsoft.com/ja-jp/supportrequestform/2afa6f15-b710-db46-909a-8346017c802f または makadd@microsoft.com で上限の引き上げを申請してください (ESU-19)。
exit /b 1

:not_licensed
echo ERROR [4/4]
echo ESU is not licensed on this device yet; ESU updates install only once it is (ESU-15).
echo この端末の ESU はまだ認証されていません。ESU の更新は認証済みの端末にしか入りません (ESU-15)。
exit /b 1
