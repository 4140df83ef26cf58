/** Serves a plugin app on an ephemeral loopback port whose KBGATE_PUBLIC_URL is its real address. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPluginApp, type PluginApp } from './plugin-app.js';

/** A listening plugin app. */
export interface ListeningPluginApp extends PluginApp {
  /** `http://127.0.0.1:<port>`, also its KBGATE_PUBLIC_URL. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Binds the port first, so the app (whose OpenAPI servers and manifest URLs are fixed at creation) knows it. */
export async function listenPluginApp(env: Record<string, string> = {}): Promise<ListeningPluginApp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const plugin = await createPluginApp({ KBGATE_PUBLIC_URL: baseUrl, ...env });
  server.on('request', plugin.app);
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { ...plugin, baseUrl, close };
}
