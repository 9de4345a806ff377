// A node:test reporter that writes one line per failed test (file, name, the first line of the error
// and, when it has more, its last line: where a child process's output follows, the reason is there),
// so that the end of a long run names what failed even where only the tail of the output is kept.
export default async function* failedTests(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail' || event.data.details?.type === 'suite') continue;
    if (event.data.details?.error?.failureType === 'subtestsFailed') continue;
    const { file, name, details } = event.data;
    const error = details?.error?.cause ?? details?.error;
    const lines = String(error?.message ?? error ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const message = [lines[0], ...(lines.length > 1 ? [lines.at(-1)] : [])].join(' … ').slice(0, 600);
    yield `not ok: ${file ?? '?'} :: ${name} :: ${message}\n`;
  }
}
