"""Typed errors of the local provider: fixed messages that say what to do, never content."""

from __future__ import annotations

from zerokeep.providers.base import RouteNotSupported, UpstreamRejected


class RemoteDocumentNotSupported(RouteNotSupported):
    error_type = "local_remote_document"
    message = (
        "The local provider reads documents and images only from data: URLs; "
        "send the file inline as a base64 data URL."
    )


class UnreadableInput(UpstreamRejected):
    error_type = "local_unreadable_input"
    message = "The local provider could not decode the document, image or audio it was given."


class UnsupportedAudioFormat(UpstreamRejected):
    error_type = "local_unsupported_audio"
    message = (
        "The local provider transcribes WAV, FLAC, OGG and MP3 audio; convert the file "
        "to 16-bit PCM WAV if it is in another format."
    )


class UnsupportedSpeechFormat(UpstreamRejected):
    error_type = "local_unsupported_speech_format"
    message = "The local provider produces speech as pcm, wav, mp3, flac or opus."


class UnsupportedOption(UpstreamRejected):
    error_type = "local_unsupported_option"
    message = (
        "The local provider does not support an option of this request; "
        "docs/local-provider.md lists what each local route accepts."
    )


class MissingInput(UpstreamRejected):
    error_type = "local_missing_input"
    message = "The request has no input the local model can use."
