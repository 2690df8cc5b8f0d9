/**
 * Saved playlists (B9 rune class): list, create from a selection, rename, delete, and export as
 * M3U/CSV. Export saves a file through a download (browser mode; Electron shows its save
 * dialog for downloads).
 */
import type { Playlist, PlaylistDetail, PlaylistExport } from '../../../../src-shared/ipc/contract/playlists';
import { getClient } from '../ipc';
import { IpcError, type Client } from '../ipc/client';

export class PlaylistsState {
  list = $state.raw<Playlist[]>([]);
  error = $state<string | null>(null);
  /** Last action's outcome for a polite live region. */
  status = $state('');

  readonly #client: Client;
  #unsub: () => void;

  constructor(client: Client) {
    this.#client = client;
    this.#unsub = client.on('playlists:onChanged', () => void this.refresh());
  }

  async refresh(): Promise<void> {
    await this.#run('Loading playlists', async () => {
      this.list = await this.#client.call('playlists:list', {});
    });
  }

  async create(name: string, trackIds: number[]): Promise<PlaylistDetail | null> {
    const p = await this.#run('Saving the playlist', () => this.#client.call('playlists:create', { name, trackIds }));
    if (p) this.status = `Saved playlist “${p.name}” with ${p.trackCount} tracks`;
    return p;
  }

  async rename(id: number, name: string): Promise<void> {
    await this.#run('Renaming the playlist', () => this.#client.call('playlists:rename', { id, name }));
  }

  async remove(id: number): Promise<void> {
    const r = await this.#run('Deleting the playlist', () => this.#client.call('playlists:delete', { id }));
    if (r) this.status = 'Playlist deleted';
  }

  async tracks(id: number): Promise<number[]> {
    return (await this.#run('Loading the playlist', () => this.#client.call('playlists:get', { id })))?.trackIds ?? [];
  }

  /** Exports and saves the file. @returns the export (tests read `content`) */
  async export(id: number, format: 'm3u' | 'csv'): Promise<PlaylistExport | null> {
    const out = await this.#run('Exporting the playlist', () => this.#client.call('playlists:export', { id, format }));
    if (out) {
      download(out);
      this.status = `Exported ${out.filename} (${out.trackCount} tracks)`;
    }
    return out;
  }

  dispose(): void {
    this.#unsub();
  }

  async #run<T>(what: string, f: () => Promise<T>): Promise<T | null> {
    this.error = null;
    try {
      return await f();
    } catch (e) {
      this.error = `${what} failed: ${e instanceof IpcError || e instanceof Error ? e.message : String(e)}`;
      return null;
    }
  }
}

/** Saves text as a file through a temporary object URL (blob: is allowed by the CSP). */
export function download(file: Pick<PlaylistExport, 'filename' | 'mime' | 'content'>): void {
  if (typeof document === 'undefined') return;
  const url = URL.createObjectURL(new Blob([file.content], { type: `${file.mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

let playlists: PlaylistsState | null = null;
export function getPlaylists(): PlaylistsState {
  return (playlists ??= new PlaylistsState(getClient()));
}
