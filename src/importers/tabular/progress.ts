import cliProgress from 'cli-progress';

export interface TerminalProgress {
  /** Pass to importFile; undefined when the stream is not a terminal (logs and pipes get no bar). */
  readonly onProgress: ((rowsDone: number, bytesDone: number, bytesTotal: number) => void) | undefined;
  stop(): void;
}

/** A progress bar over the bytes of the file read so far, with the row count, drawn only on a terminal. */
export const terminalProgress = (
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): TerminalProgress => {
  if (!stream.isTTY) return { onProgress: undefined, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {rows} rows`, stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (rows, bytes, total) => {
      if (!started) {
        bar.start(Math.max(total, 1), 0, { rows: 0 });
        started = true;
      }
      bar.update(Math.min(bytes, total), { rows });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
};
