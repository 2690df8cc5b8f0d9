import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { getClient } from './lib/ipc';

/** Forward uncaught renderer errors to the main process log (`log:renderer`), rate-limited. */
function installErrorForwarding(): void {
  let sent = 0;
  const send = (message: string, stack?: string) => {
    if (++sent > 50) return;
    getClient()
      .call('log:renderer', { level: 'error', message: message.slice(0, 10_000), stack: stack?.slice(0, 50_000) })
      .catch(() => {});
  };
  addEventListener('error', (e) => send(e.message || 'renderer error', e.error instanceof Error ? e.error.stack : undefined));
  addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    send(`Unhandled rejection: ${r instanceof Error ? r.message : String(r)}`, r instanceof Error ? r.stack : undefined);
  });
}

installErrorForwarding();
const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
export default mount(App, { target });
