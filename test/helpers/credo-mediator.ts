/**
 * examples/credo/credo-mediator.mjs as a child process: Credo 0.6's mediator on loopback (WebSocket
 * and HTTP), ready when it prints its JSON line; stop() ends it (SIGTERM) and waits for its exit.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const launcher = fileURLToPath(new URL('../../examples/credo/credo-mediator.mjs', import.meta.url));

export interface CredoMediatorReady {
  endpoint: string;
  http: string;
  invitation_url: string;
}

export async function startCredoMediator(args: readonly string[] = []): Promise<{ ready: CredoMediatorReady; stop(): Promise<void> }> {
  const child = execa('node', [launcher, ...args], { cwd: fileURLToPath(new URL('../../examples/credo/', import.meta.url)), reject: false });
  try {
    const ready = await new Promise<CredoMediatorReady>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line && out.includes('\n')) resolve(JSON.parse(line) as CredoMediatorReady);
      });
      void child.then((result) => reject(new Error(`credo-mediator.mjs exited ${String(result.exitCode)} before it was ready: ${String(result.stderr)}`)));
      setTimeout(() => reject(new Error('credo-mediator.mjs not ready in 30 s')), 30_000).unref();
    });
    return {
      ready,
      async stop() {
        child.kill('SIGTERM');
        await child;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
