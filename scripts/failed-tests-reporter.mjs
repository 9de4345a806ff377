// A node:test reporter that writes one line per failed test (file, name, first line of the error), so
// that the end of a long run names what failed even where only the tail of the output is kept.
export default async function* failedTests(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail' || event.data.details?.type === 'suite') continue;
    if (event.data.details?.error?.failureType === 'subtestsFailed') continue;
    const { file, name, details } = event.data;
    const error = details?.error?.cause ?? details?.error;
    const message = String(error?.message ?? error ?? '')
      .split('\n')[0]
      .slice(0, 300);
    yield `not ok: ${file ?? '?'} :: ${name} :: ${message}\n`;
  }
}
