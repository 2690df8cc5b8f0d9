/** Connection to the studio (WebSocket in browser mode; always open in Electron). */
import type { Client, ConnectionStatus } from '../ipc/client';

export class ConnectionState {
  status = $state<ConnectionStatus>('connecting');
  #everOpen = $state(false);
  /** True after a connection existed and was lost (show a banner). */
  readonly lost = $derived(this.#everOpen && this.status !== 'open');

  constructor(client: Client) {
    client.onStatus((s) => {
      this.status = s;
      if (s === 'open') this.#everOpen = true;
    });
  }
}
