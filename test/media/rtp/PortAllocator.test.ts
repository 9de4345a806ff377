import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { CallsightError } from '../../../src/platform/errors.js';
import { PortAllocator } from '../../../src/media/rtp/PortAllocator.js';

const sockets: Socket[] = [];
after(async () => {
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function bind(port: number): Promise<Socket> {
  const socket = createSocket('udp4');
  const failed = once(socket, 'error').then(([err]) => {
    socket.close();
    throw err as Error;
  });
  socket.bind(port, '127.0.0.1');
  await Promise.race([once(socket, 'listening'), failed]);
  sockets.push(socket);
  return socket;
}

describe('PortAllocator', () => {
  test('hands out even ports round-robin, each with its RTCP neighbour inside the range', () => {
    const ports = new PortAllocator({ min: 20001, max: 20008 });
    assert.equal(ports.capacity, 3);
    assert.deepEqual([ports.allocate(), ports.allocate(), ports.allocate()], [20002, 20004, 20006]);
  });

  test('throws CS_ERR_NO_RTP_PORT when exhausted, and reuses a released port', () => {
    const ports = new PortAllocator({ min: 20000, max: 20003 });
    const a = ports.allocate();
    ports.allocate();
    assert.throws(
      () => ports.allocate(),
      (err: unknown) => err instanceof CallsightError && err.code === 'CS_ERR_NO_RTP_PORT',
    );
    ports.release(a);
    assert.equal(ports.allocate(), a);
  });

  test('the default range is 20000–20999', () => {
    const ports = new PortAllocator();
    assert.equal(ports.capacity, 500);
    assert.equal(ports.allocate(), 20000);
  });

  test('rejects a range with no even/odd pair', () => {
    assert.throws(() => new PortAllocator({ min: 20001, max: 20002 }), CallsightError);
    assert.throws(() => new PortAllocator({ min: 30000, max: 20000 }), CallsightError);
  });

  test('skips a pair whose port is already bound by someone else', async () => {
    const base = 42000 + 2 * Math.floor(Math.random() * 5000);
    await bind(base);
    const ports = new PortAllocator({ min: base, max: base + 5 });
    const { port, value } = await ports.bindNext(bind);
    assert.equal(port, base + 2);
    assert.equal(value.address().port, base + 2);
    assert.equal(ports.inUse, 1);
  });

  test('fails with CS_ERR_NO_RTP_PORT when every pair is taken, leaving nothing reserved', async () => {
    const base = 42000 + 2 * Math.floor(Math.random() * 5000);
    const ports = new PortAllocator({ min: base, max: base + 3 });
    await bind(base);
    await bind(base + 2);
    await assert.rejects(
      ports.bindNext(bind),
      (err: unknown) => err instanceof CallsightError && err.code === 'CS_ERR_NO_RTP_PORT',
    );
    assert.equal(ports.inUse, 0);
  });

  test('other bind errors are rethrown and the port is released', async () => {
    const ports = new PortAllocator({ min: 20000, max: 20009 });
    await assert.rejects(
      ports.bindNext(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(ports.inUse, 0);
  });
});
