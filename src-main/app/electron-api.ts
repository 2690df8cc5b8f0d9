/**
 * The subset of Electron's main-process API this app uses, typed locally. Electron is an
 * optionalDependency whose binary cannot be downloaded on our build machines, so its type
 * package may be absent; `tsc` must still pass. main.ts loads the real module at runtime with
 * `import('electron')` and treats it as this shape (structurally identical names and
 * signatures, see https://www.electronjs.org/docs/latest/api/).
 */
export interface ElectronMain {
  app: {
    whenReady(): Promise<void>;
    on(event: 'window-all-closed' | 'before-quit' | 'activate' | 'second-instance', cb: (...args: unknown[]) => void): void;
    quit(): void;
    exit(code?: number): void;
    getPath(name: 'userData' | 'home'): string;
    getAppPath(): string;
    isPackaged: boolean;
    requestSingleInstanceLock(): boolean;
    setAppUserModelId?(id: string): void;
  };
  BrowserWindow: new (opts: Record<string, unknown>) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  protocol: {
    registerSchemesAsPrivileged(schemes: { scheme: string; privileges: Record<string, boolean> }[]): void;
    handle(scheme: string, handler: (req: Request) => Response | Promise<Response>): void;
  };
  session: { defaultSession: SessionLike };
  dialog: {
    showOpenDialog(win: BrowserWindowLike | undefined, opts: Record<string, unknown>): Promise<{ canceled: boolean; filePaths: string[] }>;
    showMessageBox(win: BrowserWindowLike | undefined, opts: Record<string, unknown>): Promise<{ response: number }>;
    showMessageBoxSync(opts: Record<string, unknown>): number;
    showErrorBox(title: string, content: string): void;
  };
  powerSaveBlocker: { start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number; stop(id: number): void; isStarted(id: number): boolean };
  shell: { openExternal(url: string): Promise<void> };
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  getURL(): string;
  on(event: 'will-navigate' | 'will-redirect', cb: (e: { preventDefault(): void; url?: string }, url: string) => void): void;
  on(event: 'render-process-gone', cb: (e: unknown, details: { reason: string; exitCode: number }) => void): void;
  on(event: 'destroyed' | 'did-finish-load' | 'media-started-playing' | 'media-paused', cb: (...args: unknown[]) => void): void;
  setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' | 'allow' }): void;
  reload(): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  setProgressBar(progress: number, opts?: { mode?: 'none' | 'normal' | 'indeterminate' | 'error' | 'paused' }): void;
  isDestroyed(): boolean;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  destroy(): void;
  once(event: 'ready-to-show', cb: () => void): void;
  on(event: 'closed', cb: () => void): void;
}

export interface SessionLike {
  setPermissionRequestHandler(h: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(h: ((wc: unknown, permission: string) => boolean) | null): void;
}

/** What `ipcMain.handle` listeners receive (the parts the sender guard reads). */
export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  /** null when the frame navigated or was destroyed before the message was handled. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown | null } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}
