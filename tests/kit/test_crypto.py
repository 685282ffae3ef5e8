"""kit.crypto: API key tokens and their checksum, HMAC, AES-GCM envelopes, key derivation."""

from __future__ import annotations

import hashlib
import hmac
import re
import string

import pytest
from cryptography.exceptions import InvalidTag

from zerokeep.kit.crypto import (
    NONCE_BYTES,
    derive_key,
    generate_token,
    hmac_digest,
    is_well_formed,
    new_data_key,
    open_sealed,
    seal,
    sha256_hex,
)

TOKEN_SHAPE = re.compile(r"^zk_[A-Za-z0-9]{42}$")
ALPHABET = string.ascii_letters + string.digits


def other_char(char: str) -> str:
    return "A" if char != "A" else "B"


class TestGenerateToken:
    def test_shape_is_prefix_underscore_and_42_base62_chars(self) -> None:
        token = generate_token("zk")
        assert TOKEN_SHAPE.match(token), token

    def test_generated_tokens_are_well_formed(self) -> None:
        assert all(is_well_formed(generate_token("zk"), "zk") for _ in range(200))

    def test_tokens_are_random(self) -> None:
        assert len({generate_token("zk") for _ in range(500)}) == 500

    def test_other_prefixes(self) -> None:
        token = generate_token("zkadm")
        assert token.startswith("zkadm_")
        assert is_well_formed(token, "zkadm")
        assert not is_well_formed(token, "zk")


class TestIsWellFormed:
    def test_every_single_character_typo_in_the_body_is_rejected(self) -> None:
        token = generate_token("zk")
        for position in range(3, 3 + 36):
            typo = token[:position] + other_char(token[position]) + token[position + 1 :]
            assert not is_well_formed(typo, "zk"), position

    def test_a_typo_in_the_checksum_is_rejected(self) -> None:
        token = generate_token("zk")
        for position in range(len(token) - 6, len(token)):
            typo = token[:position] + other_char(token[position]) + token[position + 1 :]
            assert not is_well_formed(typo, "zk"), position

    def test_swapped_adjacent_characters_are_rejected(self) -> None:
        token = generate_token("zk")
        body = token[3:39]
        index = next(i for i in range(35) if body[i] != body[i + 1])
        swapped = body[:index] + body[index + 1] + body[index] + body[index + 2 :]
        assert not is_well_formed("zk_" + swapped + token[39:], "zk")

    def test_truncated_and_extended_tokens_are_rejected(self) -> None:
        token = generate_token("zk")
        assert not is_well_formed(token[:-1], "zk")
        assert not is_well_formed(token + "a", "zk")

    def test_wrong_prefix_is_rejected(self) -> None:
        token = generate_token("zk")
        assert not is_well_formed("sk" + token[2:], "zk")
        assert not is_well_formed(token[3:], "zk")

    def test_characters_outside_base62_are_rejected(self) -> None:
        token = generate_token("zk")
        assert not is_well_formed(token[:10] + "-" + token[11:], "zk")
        assert not is_well_formed(token[:10] + "é" + token[11:], "zk")

    def test_empty_and_garbage(self) -> None:
        assert not is_well_formed("", "zk")
        assert not is_well_formed("zk_", "zk")
        assert not is_well_formed("Bearer zk_" + "a" * 42, "zk")


class TestHmacDigest:
    def test_is_hex_sha256_hmac(self) -> None:
        secret = b"s" * 32
        expected = hmac.new(secret, b"zk_token", hashlib.sha256).hexdigest()
        assert hmac_digest(secret, "zk_token") == expected
        assert re.fullmatch(r"[0-9a-f]{64}", expected)

    def test_deterministic_for_one_secret(self) -> None:
        assert hmac_digest(b"k" * 32, "v") == hmac_digest(b"k" * 32, "v")

    def test_depends_on_the_secret_and_the_value(self) -> None:
        assert hmac_digest(b"a" * 32, "v") != hmac_digest(b"b" * 32, "v")
        assert hmac_digest(b"a" * 32, "v") != hmac_digest(b"a" * 32, "w")

    def test_does_not_contain_the_value(self) -> None:
        token = generate_token("zk")
        assert token[3:] not in hmac_digest(b"k" * 32, token)


class TestSeal:
    def test_round_trip(self) -> None:
        key = new_data_key()
        box = seal(key, b"payload", aad=b"org_1")
        assert open_sealed(key, box, aad=b"org_1") == b"payload"

    def test_box_is_nonce_ciphertext_and_tag_and_hides_the_plaintext(self) -> None:
        key = new_data_key()
        box = seal(key, b"canary-plaintext", aad=b"org_1")
        assert len(box) == NONCE_BYTES + len(b"canary-plaintext") + 16
        assert b"canary-plaintext" not in box

    def test_each_seal_uses_a_fresh_nonce(self) -> None:
        key = new_data_key()
        first, second = seal(key, b"same", b"a"), seal(key, b"same", b"a")
        assert first[:NONCE_BYTES] != second[:NONCE_BYTES]
        assert first != second

    def test_wrong_aad_fails(self) -> None:
        key = new_data_key()
        box = seal(key, b"payload", aad=b"org_1")
        with pytest.raises(InvalidTag):
            open_sealed(key, box, aad=b"org_2")

    @pytest.mark.parametrize("where", ["nonce", "ciphertext", "tag"])
    def test_tampered_box_fails(self, where: str) -> None:
        key = new_data_key()
        box = bytearray(seal(key, b"payload", aad=b"org_1"))
        index = {"nonce": 0, "ciphertext": NONCE_BYTES + 1, "tag": len(box) - 1}[where]
        box[index] ^= 0x01
        with pytest.raises(InvalidTag):
            open_sealed(key, bytes(box), aad=b"org_1")

    def test_wrong_key_fails(self) -> None:
        box = seal(new_data_key(), b"payload", aad=b"org_1")
        with pytest.raises(InvalidTag):
            open_sealed(new_data_key(), box, aad=b"org_1")

    def test_data_keys_are_256_bit_and_random(self) -> None:
        keys = {new_data_key() for _ in range(50)}
        assert len(keys) == 50
        assert all(len(key) == 32 for key in keys)


class TestDeriveKey:
    def test_deterministic(self) -> None:
        assert derive_key(b"m" * 32, "zerokeep/a") == derive_key(b"m" * 32, "zerokeep/a")

    def test_purposes_give_independent_keys(self) -> None:
        master = b"m" * 32
        first, second = derive_key(master, "zerokeep/a"), derive_key(master, "zerokeep/b")
        assert first != second
        assert master not in (first, second)

    def test_masters_give_independent_keys(self) -> None:
        assert derive_key(b"m" * 32, "p") != derive_key(b"n" * 32, "p")

    def test_length(self) -> None:
        assert len(derive_key(b"m" * 32, "p")) == 32
        assert len(derive_key(b"m" * 32, "p", length=16)) == 16

    def test_a_derived_key_seals(self) -> None:
        key = derive_key(b"m" * 32, "zerokeep/key-wrapping")
        assert open_sealed(key, seal(key, b"x", b"aad"), b"aad") == b"x"


class TestSha256Hex:
    def test_matches_hashlib(self) -> None:
        assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
