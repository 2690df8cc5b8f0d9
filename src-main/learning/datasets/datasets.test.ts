/**
 * Each loader on miniature files in its dataset's official layout, written here (no ../shared).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from './csv';
import { loadDeam, loadDeamRaters } from './deam';
import { loadEmopia, parseEmopiaName } from './emopia';
import { loadFourq } from './fourq';
import { loadPmemo } from './pmemo';
import { checkRenderer, peakNormalise, renderMidi } from './render';
import { loadVgmidi } from './vgmidi';
import { readWav, writeWavMono16 } from './wav';

const roots: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-ds-'));
  roots.push(d);
  return d;
}
function write(root: string, rel: string, content: string | Buffer): void {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('csv', () => {
  it('handles quotes, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,"b,c","d""e"\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['1', '2', '3'],
    ]);
  });
});

describe('DEAM', () => {
  const root = tmp();
  const avg = 'annotations/annotations averaged per song/dynamic (per second annotations)';
  write(root, `${avg}/arousal.csv`, 'song_id,sample_15000ms,sample_15500ms,sample_16000ms\n2,0.1,0.2,0.3\n2011,-0.1,-0.2,\n');
  write(root, `${avg}/valence.csv`, 'song_id,sample_15000ms,sample_15500ms,sample_16000ms\n2,0.4,0.5,0.6\n2011,0.0,0.1,\n');
  const per = 'annotations/annotations per each rater/dynamic (per second annotations)';
  write(root, `${per}/arousal/2.csv`, 'WorkerId,sample_15000ms,sample_15500ms\nW1,0.1,0.3\nW2,-0.2,0.0\n');
  write(root, `${per}/valence/2.csv`, 'WorkerId,sample_15000ms,sample_15500ms\nW1,0.5,0.5\nW2,0.1,0.2\n');
  write(root, 'MEMD_audio/2.mp3', 'not really audio');

  it('reads averaged curves, trims empty cells, applies the official split', () => {
    const songs = loadDeam(root);
    expect(songs.map((s) => s.id)).toEqual(['2', '2011']);
    expect(songs[0].startSec).toBe(15);
    expect(songs[0].stepSec).toBe(0.5);
    expect(Array.from(songs[0].valence)).toEqual([0.4, 0.5, 0.6].map(Math.fround));
    expect(songs[1].arousal).toHaveLength(2);
    expect(songs[1].split).toBe('test');
    expect(songs[0].split).not.toBe('test');
    expect(songs[0].audioPath).toBe(path.join(root, 'MEMD_audio/2.mp3'));
    expect(songs[1].audioPath).toBeNull();
  });
  it('reads per-rater curves keyed by WorkerId', () => {
    const r = loadDeamRaters(root);
    expect(r.map((x) => `${x.songId}/${x.person}`)).toEqual(['2/W1', '2/W2']);
    expect(Array.from(r[1].arousal)).toEqual([-0.2, 0].map(Math.fround));
  });
  it('names the missing file', () => {
    expect(() => loadDeam(tmp())).toThrow(/DEAM: expected annotations\/annotations averaged per song.*arousal\.csv/);
  });
});

describe('PMEmo', () => {
  it('reads the long dynamic format, optionally rescaled to [-1, 1]', () => {
    const root = tmp();
    write(root, 'annotations/dynamic_annotations.csv', 'musicId,frameTime,Arousal(mean),Valence(mean)\n7,16.0,0.5,0.25\n7,15.5,0.75,1.0\n9,15.5,0.1,0.2\n');
    write(root, 'chorus/7.mp3', 'x');
    const s = loadPmemo(root, { rescale: true });
    expect(s.map((x) => x.id)).toEqual(['7', '9']);
    expect(s[0].startSec).toBe(15.5);
    expect(Array.from(s[0].arousal)).toEqual([0.5, 0]);
    expect(Array.from(s[0].valence)).toEqual([1, -0.5]);
    expect(s[0].audioPath).toContain('chorus/7.mp3');
    expect(() => {
      write(root, 'annotations/dynamic_annotations.csv', 'musicId,frameTime,Arousal\n1,15.5,0.2\n');
      loadPmemo(root);
    }).toThrow(/expected column "Arousal\(mean\)"/);
  });
});

describe('4Q', () => {
  it('reads quadrants, keeps clips with audio, splits by artist', () => {
    const root = tmp();
    write(root, 'annotations.csv', 'Song,Quadrant\nMT1,Q1\nMT2,Q3\nMT3,Q2\nMT4,Q4\n');
    write(root, 'metadata.csv', 'Song,Artist,Title,Quadrant\nMT1,Ann,a,Q1\nMT2,Ann,b,Q3\nMT3,Bob,c,Q2\nMT4,Cy,d,Q4\n');
    for (const s of ['MT1', 'MT2', 'MT3']) write(root, `audio/${s}.mp3`, 'x');
    const clips = loadFourq(root, { seed: 3 });
    expect(clips.map((c) => [c.id, c.quadrant])).toEqual([
      ['MT1', 1],
      ['MT2', 3],
      ['MT3', 2],
    ]);
    expect(clips[0].split).toBe(clips[1].split); // same artist, same split
    expect(clips[0].group).toBe('ann');
  });
});

describe('EMOPIA', () => {
  it('reads official clip splits and the quadrant from the file name', () => {
    const root = tmp();
    write(root, 'splits/train.csv', 'fname,label\nQ1_abc_0,Q1\nQ3_x_y_2,Q3\n');
    write(root, 'splits/val.csv', 'fname,label\nQ4_def_1,Q4\n');
    write(root, 'splits/test.csv', 'fname,label\nQ2_ghi_0,Q2\n');
    for (const f of ['Q1_abc_0', 'Q3_x_y_2', 'Q4_def_1', 'Q2_ghi_0']) write(root, `midi/${f}.mid`, 'MThd');
    const c = loadEmopia(root);
    expect(c.map((x) => [x.id, x.quadrant, x.split, x.group])).toEqual([
      ['Q1_abc_0', 1, 'train', 'abc'],
      ['Q3_x_y_2', 3, 'train', 'x_y'],
      ['Q4_def_1', 4, 'val', 'def'],
      ['Q2_ghi_0', 2, 'test', 'ghi'],
    ]);
    expect(parseEmopiaName('Q2_L3_TadjSQQ0_0.mid')).toEqual({ quadrant: 2, song: 'L3_TadjSQQ0', segment: 0 });
    write(root, 'splits/test.csv', 'fname,label\nQ2_ghi_0,Q1\n');
    expect(() => loadEmopia(root)).toThrow(/labelled Q1 but its name says Q2/);
  });
});

describe('VGMIDI', () => {
  it('rebuilds people from identical tutorial answers and demographics', () => {
    const root = tmp();
    const person = (ex1: string, age: string) => ({
      age,
      gender: 'Female',
      country: 'US',
      musicianship: 2,
      isKnown: false,
      ex1_valence: '1',
      ex1_arousal: '1',
      ex1_description: ex1,
      ex2_valence: '2',
      ex2_arousal: 'x',
    });
    const raw1 = {
      pieces: {
        piece0: { name: 'A', midi: 'a.mid', audio: 'audio/a.wav', duration: 8, measures: 4 },
        piece1: { name: 'B', midi: 'b.mid', audio: 'audio/b.wav', duration: 6, measures: 2 },
      },
      annotations: {
        piece0_0: { ...person('happy', '21-25'), valence: [0.1, 0.2, 0.3, 0.4], arousal: [0, 0, 0.5, 0.5] },
        piece1_0: { ...person('happy', '21-25'), valence: [0.5, 0.5], arousal: [-0.1, -0.2] },
        piece0_1: { ...person('sad', '30-35'), valence: [-0.1, -0.2, -0.3, -0.4], arousal: [0.1, 0.1, 0.1, 0.1] },
        piece9_0: { ...person('gone', '30-35'), valence: [0], arousal: [0] },
      },
    };
    write(root, 'annotations/vgmidi_raw_1.json', JSON.stringify(raw1));
    const d = loadVgmidi(root);
    expect(d.pieces.get('r1:piece0')!.binSec).toBe(2);
    expect(d.pieces.get('r1:piece1')!.midiPath).toBe(path.join(root, 'midi', 'b.mid'));
    expect(d.curves).toHaveLength(3); // piece9 is not in the file
    const byId = Object.fromEntries(d.curves.map((c) => [c.id, c]));
    expect(byId['r1:piece0_0'].person).toBe(byId['r1:piece1_0'].person);
    expect(byId['r1:piece0_1'].person).not.toBe(byId['r1:piece0_0'].person);
    expect(byId['r1:piece1_0'].binSec).toBe(3);
    expect(d.people).toEqual({ pairs: 1, singles: 2, ambiguousCurves: 0 });
  });
});

describe('WAV and MIDI rendering', () => {
  it('round-trips a mono 16-bit WAV and peak-normalises', () => {
    const x = Float32Array.from([0, 0.25, -0.5, 0.1]);
    const w = readWav(writeWavMono16(peakNormalise(x, 0.9), 22050));
    expect(w.sampleRate).toBe(22050);
    expect(Math.max(...Array.from(w.channels[0]).map(Math.abs))).toBeCloseTo(0.9, 3);
    expect(w.channels[0][1]).toBeCloseTo(0.45, 3);
  });

  it('names the apt packages when fluidsynth is missing', () => {
    expect(() => checkRenderer({ fluidsynth: '/nonexistent/fluidsynth' })).toThrow(/apt-get install fluidsynth fluid-soundfont-gm/);
    expect(() => checkRenderer({ soundfont: '/nonexistent.sf2' })).toThrow(/soundfont.*apt-get install fluid-soundfont-gm/);
  });

  it('renders a MIDI written here with fluidsynth, peak-normalised and cached', async () => {
    // One track: tempo default (120 bpm), C4 note for one beat (480 ticks = 0.5 s).
    const track = Buffer.from([0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0, 0x00, 0xff, 0x2f, 0x00]);
    const header = Buffer.from([0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0]);
    const trkHead = Buffer.alloc(8);
    trkHead.write('MTrk', 0, 'ascii');
    trkHead.writeUInt32BE(track.length, 4);
    const root = tmp();
    write(root, 'n.mid', Buffer.concat([header, trkHead, track]));
    const cacheDir = path.join(root, 'cache');
    const out = await renderMidi(path.join(root, 'n.mid'), { cacheDir, sampleRate: 22050 });
    expect(out.startsWith(cacheDir)).toBe(true);
    const w = readWav(fs.readFileSync(out));
    expect(w.channels).toHaveLength(1);
    expect(w.sampleRate).toBe(22050);
    expect(w.channels[0].length).toBeGreaterThan(22050 * 0.4);
    let peak = 0;
    for (const s of w.channels[0]) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeCloseTo(0.9, 2);
    const mtime = fs.statSync(out).mtimeMs;
    expect(await renderMidi(path.join(root, 'n.mid'), { cacheDir, sampleRate: 22050 })).toBe(out);
    expect(fs.statSync(out).mtimeMs).toBe(mtime);
  });
});
