/**
 * Child process for the crash-safety test: opens the library, starts a session and appends a
 * 500 ms batch (15 samples at 30 Hz) every 20 ms, printing "committed <seq-end>" AFTER each
 * append returned (i.e. after its transaction committed). The parent SIGKILLs it mid-session.
 * argv: <dbFile> <profileId> <trackId>
 */
import { openDatabase } from '../../src-main/db/open';
import { AnnotationService } from '../../src-main/services/annotation.service';

const [file, profileId, trackId] = process.argv.slice(2);
const db = openDatabase(file);
const svc = new AnnotationService(db);
const s = svc.start({ profileId: Number(profileId), trackId: Number(trackId), sampleRateHz: 30, outputLatencySec: 0.02, inputDevice: 'mouse' });
process.stdout.write(`session ${s.id}\n`);
let seq = 0;
const timer = setInterval(() => {
  const samples = Array.from({ length: 15 }, () => {
    const i = seq++;
    return { seq: i, t: i / 30, valence: Math.sin(i / 20) * 0.9, arousal: Math.cos(i / 20) * 0.9, buttons: 0, layer: 0 };
  });
  svc.append({ sessionId: s.id, samples });
  process.stdout.write(`committed ${seq}\n`);
  if (seq > 30 * 600) clearInterval(timer);
}, 20);
