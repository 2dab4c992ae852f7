// The cosyvoice4j page: streams 24 kHz s16le PCM from POST /v1/audio/speech and plays each piece as it arrives
// through Web Audio, scheduled back to back. window.cv4j exposes the last run's numbers (for people and for the test).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { ctx: null, controller: null, recorded: null };
window.cv4j = { runs: 0, bytes: 0, chunks: 0, ttfaMs: null, rtf: null, audioSeconds: 0, playedSeconds: 0, done: false, error: null };

function headers(json) {
  const h = {};
  if (json) h['Content-Type'] = 'application/json';
  const key = $('api-key').value.trim();
  if (key) h['Authorization'] = 'Bearer ' + key;
  return h;
}

function status(msg, isError) {
  $('status').textContent = msg;
  $('status').className = isError ? 'error' : '';
}

async function errorMessage(res) {
  try { return (await res.json()).error.message; } catch (e) { return res.status + ' ' + res.statusText; }
}

async function loadVoices(select) {
  const res = await fetch('v1/audio/voices', { headers: headers(false) });
  if (!res.ok) { status('cannot list voices: ' + await errorMessage(res), true); return; }
  const voices = (await res.json()).voices;
  const sel = $('voice');
  sel.innerHTML = '';
  for (const v of voices) sel.add(new Option(v.name, v.id));
  if (select) sel.value = select;
  if (!voices.length) status('No saved voice yet: add one below.', false);
}

async function speak() {
  const text = $('text').value;
  if (!text.trim()) { status('Type some text first.', true); return; }
  if (!$('voice').value) { status('Choose or add a voice first.', true); return; }
  const ctx = state.ctx || (state.ctx = new AudioContext());
  await ctx.resume();
  const body = { model: 'cosyvoice3', input: text, voice: $('voice').value, response_format: 'pcm', stream_format: 'audio' };
  const instructions = $('instructions').value.trim();
  if (instructions) body.instructions = instructions;
  const m = window.cv4j;
  Object.assign(m, { runs: m.runs + 1, bytes: 0, chunks: 0, ttfaMs: null, rtf: null, audioSeconds: 0, playedSeconds: 0, done: false, error: null });
  $('ttfa').textContent = $('rtf').textContent = $('seconds').textContent = '–';
  $('speak').disabled = true; $('stop').disabled = false;
  status('Synthesising…');
  state.controller = new AbortController();
  const t0 = performance.now();
  let next = 0, rate = 24000, carry = null;
  try {
    const res = await fetch('v1/audio/speech', { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal: state.controller.signal });
    if (!res.ok) throw new Error(await errorMessage(res));
    const ct = res.headers.get('Content-Type') || '';
    const r = /rate=(\d+)/.exec(ct); if (r) rate = parseInt(r[1], 10);
    const reader = res.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let bytes = value;
      if (carry) { const joined = new Uint8Array(carry.length + bytes.length); joined.set(carry); joined.set(bytes, carry.length); bytes = joined; carry = null; }
      if (bytes.length % 2) { carry = bytes.slice(bytes.length - 1); bytes = bytes.slice(0, bytes.length - 1); }
      if (!bytes.length) continue;
      if (m.ttfaMs === null) { m.ttfaMs = performance.now() - t0; $('ttfa').textContent = (m.ttfaMs / 1000).toFixed(2) + ' s'; status('Playing while generating…'); }
      const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
      const buf = ctx.createBuffer(1, pcm.length, rate);
      const ch = buf.getChannelData(0);
      for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i] / 32768;
      const src = ctx.createBufferSource();
      src.buffer = buf; src.connect(ctx.destination);
      next = Math.max(next, ctx.currentTime + 0.05);
      src.start(next);
      src.onended = () => { m.playedSeconds += buf.duration; };
      next += buf.duration;
      m.bytes += bytes.length; m.chunks++;
      m.audioSeconds += pcm.length / rate;
      $('seconds').textContent = m.audioSeconds.toFixed(2) + ' s';
    }
    const wall = (performance.now() - t0) / 1000;
    m.rtf = m.audioSeconds > 0 ? wall / m.audioSeconds : null;
    $('rtf').textContent = m.rtf === null ? '–' : m.rtf.toFixed(2);
    m.done = true;
    status('Done: ' + m.audioSeconds.toFixed(2) + ' s of audio in ' + wall.toFixed(2) + ' s.');
  } catch (e) {
    m.error = e.name === 'AbortError' ? 'stopped' : e.message;
    status(e.name === 'AbortError' ? 'Stopped.' : 'Error: ' + e.message, e.name !== 'AbortError');
  } finally {
    $('speak').disabled = false; $('stop').disabled = true;
  }
}

// A WAV (16-bit mono) from recorded float samples: the server's frontend reads WAV.
function wavFromFloats(samples, rate) {
  const out = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const str = (o, s) => { for (let i = 0; i < s.length; i++) out.setUint8(o + i, s.charCodeAt(i)); };
  str(0, 'RIFF'); out.setUint32(4, 36 + samples.length * 2, true); str(8, 'WAVE'); str(12, 'fmt ');
  out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true); out.setUint32(24, rate, true);
  out.setUint32(28, rate * 2, true); out.setUint16(32, 2, true); out.setUint16(34, 16, true); str(36, 'data');
  out.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) out.setInt16(44 + 2 * i, Math.max(-1, Math.min(1, samples[i])) * 32767, true);
  return new Blob([out.buffer], { type: 'audio/wav' });
}

async function record() {
  const btn = $('record');
  if (state.recorder) { state.recorder.stop(); return; }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const rec = new MediaRecorder(stream), parts = [];
    rec.ondataavailable = (e) => parts.push(e.data);
    rec.onstop = async () => {
      stream.getTracks().forEach((t) => t.stop());
      state.recorder = null; btn.textContent = 'Record from microphone';
      const ctx = state.ctx || (state.ctx = new AudioContext());
      const audio = await ctx.decodeAudioData(await new Blob(parts).arrayBuffer());
      state.recorded = wavFromFloats(audio.getChannelData(0), audio.sampleRate);
      $('voice-status').textContent = 'Recorded ' + audio.duration.toFixed(1) + ' s; give it a name and save it.';
    };
    rec.start(); state.recorder = rec; btn.textContent = 'Stop recording';
    $('voice-status').textContent = 'Recording… (up to 30 s)';
  } catch (e) {
    $('voice-status').textContent = 'Microphone unavailable: ' + e.message;
  }
}

async function upload() {
  const name = $('voice-name').value.trim();
  const file = $('voice-file').files[0] || state.recorded;
  if (!name || !file) { $('voice-status').textContent = 'Give a name and a recording.'; return; }
  const form = new FormData();
  form.append('name', name);
  form.append('audio_sample', file, 'voice.wav');
  const text = $('voice-text').value.trim();
  if (text) form.append('ref_text', text);
  $('voice-status').textContent = 'Analysing the recording…';
  const res = await fetch('v1/audio/voices', { method: 'POST', headers: headers(false), body: form });
  if (!res.ok) { $('voice-status').textContent = 'Error: ' + await errorMessage(res); return; }
  const v = await res.json();
  $('voice-status').textContent = 'Saved voice "' + v.name + '".';
  state.recorded = null;
  await loadVoices(v.id);
}

$('speak').addEventListener('click', speak);
$('stop').addEventListener('click', () => state.controller && state.controller.abort());
$('record').addEventListener('click', record);
$('upload').addEventListener('click', upload);
$('api-key').value = localStorage.getItem('cv4j-api-key') || '';
$('api-key').addEventListener('change', () => { localStorage.setItem('cv4j-api-key', $('api-key').value); loadVoices(); });
loadVoices();
