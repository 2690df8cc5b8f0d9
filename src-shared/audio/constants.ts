/**
 * Audio front-end constants (the one module for them, STYLE B3), each with its provenance.
 *
 * Reference: Littleor/Personalized-DMER @ 20b12ea (Apache-2.0), `script/dataset.py` calls
 * `get_audio_log_mel_spec(frame_length=60, frame_shift=10, n_mels=128)` on non-overlapping 0.5 s
 * clips from `generate_split_duration_list(length_each_clip=0.5, slide_length=0.5)`;
 * `utils/music/util.py:get_audio_log_mel_spec` runs `torchaudio.transforms.MelSpectrogram` with
 * `n_fft = win_length = int(44100 * 60 / 1000) = 2646`, `hop_length = int(44100 * 10 / 1000) = 441`
 * and torchaudio's defaults (power 2, periodic Hann window, center=True with reflect padding,
 * HTK mel scale, no filter normalisation, f_min 0, f_max sr/2), then `torch.log(mel + 1e-6)`.
 * Each 0.5 s clip is transformed on its own, so each step is reflect-padded at its own edges and
 * gives 1 + floor(22050 / 441) = 51 frames. `read_wav_as_tensor` resamples first, then averages
 * channels to mono.
 */

/** Sample rate of the reference front end (util.py `sample_rate=44100`). */
export const PAPER_SAMPLE_RATE = 44_100;
/** 60 ms analysis window at 44.1 kHz (dataset.py `frame_length=60`): n_fft = win_length = 2646. */
export const PAPER_N_FFT = 2646;
/** 10 ms hop at 44.1 kHz (dataset.py `frame_shift=10`). */
export const PAPER_HOP = 441;
/** Mel bands (dataset.py `n_mels=128`). */
export const PAPER_N_MELS = 128;
/** `torch.log(mel_spectrogram + 1e-6)` in util.py. */
export const LOG_EPS = 1e-6;
/** One prediction step = 0.5 s (2 Hz labels; `length_each_clip=0.5`). */
export const STEP_SEC = 0.5;
/** Frames per step: 1 + floor(0.5 * 44100 / 441) with center=True (util.py asserts nothing; torch gives 51). */
export const PAPER_FRAMES_PER_STEP = 51;

/**
 * Global-branch window: one 30 s window centred on each step (DSAML.md "Global stream"; reference
 * `generate_split_duration_list(length_each_clip=30, slide_start=0)` centres window i on 0.5*i s).
 */
export const GLOBAL_WINDOW_SEC = 30;

/**
 * Compact front end: 22.05 kHz, 64 mel, n_fft = win = 1024 (46 ms, a power of two so the
 * radix-4 real FFT in src-main/audio/features/fft.ts runs it), hop 220 (9.98 ms) so a 0.5 s step (11025 samples) still has
 * 1 + floor(11025 / 220) = 51 frames. Chosen by measurement (scripts/bench-audio.ts; figures in
 * src-main/audio/README.md): roughly 4x cheaper per second of audio than the paper front end.
 */
export const COMPACT_SAMPLE_RATE = 22_050;
export const COMPACT_N_FFT = 1024;
export const COMPACT_HOP = 220;
export const COMPACT_N_MELS = 64;

/** Tempo search range of the global descriptors (BPM): covers nearly all popular music. */
export const TEMPO_MIN_BPM = 50;
export const TEMPO_MAX_BPM = 200;
/**
 * Log-Gaussian tempo prior centred at 120 BPM with 1 octave std, as librosa's `beat.tempo`
 * (`start_bpm=120, std_bpm=1.0`): resolves octave ambiguity of the autocorrelation peak.
 */
export const TEMPO_PRIOR_BPM = 120;
export const TEMPO_PRIOR_OCTAVES = 1;

/**
 * Krumhansl-Kessler key profiles (Krumhansl 1990, "Cognitive Foundations of Musical Pitch",
 * probe-tone ratings), tonic first. Used for key clarity and mode (major - minor) correlation.
 */
export const KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88] as const;
export const KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17] as const;

/**
 * Interval dissonance weights for the chroma roughness proxy, by interval in semitones 0..11
 * (0 = unison). Ordinal ranking after Malmberg (1918) / Huron (1994) interval consonance: minor
 * second and major seventh most dissonant, tritone and major second next, fifths/fourths least.
 */
export const INTERVAL_DISSONANCE = [0, 1, 0.6, 0.2, 0.15, 0.05, 0.7, 0.05, 0.15, 0.2, 0.6, 1] as const;

/** Chroma is taken from spectrum bins between these frequencies (C1 ~ 32.7 Hz .. ~C8). */
export const CHROMA_FMIN = 55;
export const CHROMA_FMAX = 4200;
/** Spectral roll-off fraction (librosa `roll_percent=0.85`). */
export const ROLLOFF_FRACTION = 0.85;
