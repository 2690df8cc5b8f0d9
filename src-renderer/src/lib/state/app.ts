/**
 * App-wide state singletons, created on first use (so unit tests can `setClient()` first).
 * Views import from here: `import { getLibrary } from '../state/app'`.
 */
import { getClient } from '../ipc';
import { uploadFile } from '../ipc/upload';
import { ConnectionState } from './connection.svelte';
import { LibraryState } from './library.svelte';

let library: LibraryState | null = null;
let connection: ConnectionState | null = null;

export function getLibrary(): LibraryState {
  const client = getClient();
  return (library ??= new LibraryState(client, client.kind === 'websocket' ? uploadFile : null));
}

export function getConnection(): ConnectionState {
  return (connection ??= new ConnectionState(getClient()));
}
