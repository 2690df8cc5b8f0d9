import { describe, expect, it } from 'vitest';
import { dbPathFor, resolveDataDir } from './paths';

describe('resolveDataDir', () => {
  const home = '/home/ana';
  it('prefers the explicit directory, then PDMER_DATA_DIR', () => {
    expect(resolveDataDir({ explicit: '/srv/lib', env: { PDMER_DATA_DIR: '/x' }, platform: 'linux', home })).toBe('/srv/lib');
    expect(resolveDataDir({ env: { PDMER_DATA_DIR: '/x', XDG_DATA_HOME: '/y' }, platform: 'linux', home })).toBe('/x');
  });
  it('follows the OS convention', () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', home })).toBe('/home/ana/.local/share/music-emotion-studio');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: '/data/xdg' }, platform: 'linux', home })).toBe('/data/xdg/music-emotion-studio');
    expect(resolveDataDir({ env: { XDG_DATA_HOME: 'relative/ignored' }, platform: 'linux', home })).toBe('/home/ana/.local/share/music-emotion-studio');
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/ana' })).toBe('/Users/ana/Library/Application Support/music-emotion-studio');
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ana' })).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\music-emotion-studio',
    );
  });
  it('puts the database in the data dir', () => {
    expect(dbPathFor('/d')).toBe('/d/library.sqlite');
  });
});
