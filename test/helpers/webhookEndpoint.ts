import { createServer, type Server } from 'node:http';

export interface WebhookEndpoint {
  readonly server: Server;
  readonly url: string;
  /** Every body received, as sent. */
  readonly bodies: string[];
  /** Every body received, parsed as JSON. */
  readonly events: Record<string, unknown>[];
}

/** A real HTTP endpoint on loopback standing in for a webhook: keeps every body, answers 204. */
export async function webhookEndpoint(path = '/hook'): Promise<WebhookEndpoint> {
  const bodies: string[] = [];
  const events: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      bodies.push(body);
      events.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}${path}`, bodies, events };
}
