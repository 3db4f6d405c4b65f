"""Thin ctypes binding to the libespeak-ng bundled by the `espeakng-loader` wheel.

Only what the synthetic corpus needs: synchronous synthesis into memory with phoneme events,
so every utterance comes with the start sample of each phoneme (a frame-level alignment).
The library and its data are pinned by the wheel version in requirements.txt; the library
version string is recorded in the corpus metadata because other espeak-ng builds (e.g.
Debian's 1.51) produce different audio.

libespeak-ng keeps global state, so one `Espeak` instance per process is the rule
(`get_espeak()` hands out the per-process singleton).
"""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

import numpy as np

__all__ = ["Espeak", "SynthResult", "get_espeak"]

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE = 1, 3, 4


class _Event(ctypes.Structure):
    """`espeak_EVENT` from speak_lib.h; for phoneme events `id` holds the mnemonic."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # ms
        ("sample", ctypes.c_int),  # samples since the start of the message
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass
class SynthResult:
    """Audio at the library's native rate and the phoneme events (mnemonic, start sample)."""

    audio: np.ndarray  # int16, native sample rate
    sample_rate: int
    events: list[tuple[str, int]]


class Espeak:
    """One initialized libespeak-ng (per process). Not thread-safe."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - requirement of the venv
            raise RuntimeError(
                "espeakng-loader is not installed; run `make setup` (it is in requirements.txt)"
            ) from exc
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Info.restype = ctypes.c_char_p
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path,
            _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT,
        )
        if self.sample_rate <= 0:
            raise RuntimeError(f"espeak_Initialize failed (returned {self.sample_rate})")
        self.version = self.lib.espeak_Info(None).decode()
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._callback = _Callback(self._on_synth)  # keep a reference: C holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_synth(self, wav, n_samples, events) -> int:
        if n_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, (n_samples,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_PHONEME:
                self._events.append((events[i].id.decode("utf-8", "replace"), events[i].sample))
            i += 1
        return 0

    def synth(self, text: str, voice: str, rate: int, pitch: int, pitch_range: int,
              seed: int = 0) -> SynthResult:
        """Speak `text` with espeak voice name `voice` (e.g. "en-us+f3"), `rate` in words per
        minute, `pitch` and `pitch_range` in 0..100. espeak-ng adds random variation
        (noise, jitter); `seed` fixes it, so the result depends only on the arguments."""
        self.lib.espeak_ng_SetRandSeed(ctypes.c_long(seed))
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"espeak-ng has no voice {voice!r}")
        for param, value in ((_PARAM_RATE, rate), (_PARAM_PITCH, pitch), (_PARAM_RANGE, pitch_range)):
            self.lib.espeak_SetParameter(param, int(value), 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if err != 0:
            raise RuntimeError(f"espeak_Synth failed with error {err} on {text!r}")
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return SynthResult(audio.astype(np.int16), self.sample_rate, list(self._events))


_INSTANCE: tuple[int, Espeak] | None = None


def get_espeak() -> Espeak:
    """The per-process `Espeak` (re-created in a forked child)."""
    global _INSTANCE
    if _INSTANCE is None or _INSTANCE[0] != os.getpid():
        _INSTANCE = (os.getpid(), Espeak())
    return _INSTANCE[1]
