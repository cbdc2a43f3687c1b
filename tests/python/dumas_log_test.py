#!/usr/bin/python3
"""Unit tests of dumas_log, the independent verifier of the transparency log.

No server: RFC 6962/9162 vectors, proofs of every pair of sizes up to 64,
the C2SP examples, cosignatures, the canonical encoding against golden
vectors, and LogVerifier against an in-memory log (fake_integration_service).
Run through ctest (`tools/test -L unit`), or with
PYTHONPATH=build/clients/python:tests/python /usr/bin/python3 this file.
"""

import base64
import hashlib
import os
import unittest

from google.protobuf import text_format

import dumas_log as log
from dumas.v1 import integration_service_pb2 as isvc
from fake_integration_service import FakeLog, FakeStub, synthetic_change

# --- RFC 6962 test vectors ------------------------------------------------------
# The classic 8-leaf tree of RFC 6962's reference tests, as published in
# github.com/transparency-dev/merkle at commit
# 417fb0c314750d94e53942e9f92e79b6d35915db: testonly/constants.go (LeafInputs,
# RootHashes, NodeHashes) and testdata/inclusion/{0..4}/happy-path.json,
# testdata/consistency/{0..4}/happy-path.json (base64 there, hex here).
RFC6962_LEAF_INPUTS = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
RFC6962_LEAF_HASHES = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1")]
RFC6962_ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf index, tree size, proof)
RFC6962_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (first size, second size, proof)
RFC6962_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]

# --- C2SP examples --------------------------------------------------------------
# github.com/C2SP/C2SP at commit 5ba5ee8, signed-note.md "Verifier keys",
# "Example": this vkey verifies this note.
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = ("This is an example message.\n"
             "\n"
             "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Z"
             "tg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
# signed-note.md's opening example (its key is not published: parse only).
C2SP_QUASIMODO = ("Ognuno sta solo sul cuor della terra\n"
                  "trafitto da un raggio di sole:\n"
                  "\n"
                  "ed \u00e8 subito sera.\n"
                  "\n"
                  "\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5dd"
                  "nGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n")
# tlog-cosignature.md's example: a checkpoint with the log's signature and
# a witness's cosignature made at "time 1679315147" (parse only).
C2SP_COSIGNED_CHECKPOINT = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4U"
    "RYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZ"
    "CB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n")

# --- Golden vectors of the canonical entry ---------------------------------------
# Built by hand from docs/transparency-log.md, field by field, and checked
# with printf | sha256sum, not with dumas_log. The changes are in
# tests/testdata/log_vectors, which the C++ verifier's test
# (tools/log_verifier/log_vectors_test.cc) reads too: same Change, same
# leaf hash.
VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata",
                       "log_vectors")


def vector_text(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return f.read()


# The identity of the golden registration and its salt 00 01 .. 1f.
GOLDEN_IDENTITY = vector_text("identity.textproto")
GOLDEN_IDENTITY_SALT = bytes(range(32))
GOLDEN_IDENTITY_COMMITMENT = bytes.fromhex(
    "3276aa99fde3a28f59eeb8d2cc10bbf1d046f95602e125eb961660744682c2fb")

# A RECEIVED change of a complaint imported from Kompolnas: every tag 1-14.
GOLDEN_RECEIVED_CHANGE = vector_text("received.textproto")
GOLDEN_RECEIVED_DETAILS = b"".join([
    bytes.fromhex("01 00000022") + b"Diminta uang Rp200.000 saat razia.",
    bytes.fromhex("02 00064be224103d00"),                    # 1772284500000000 us
    bytes.fromhex("03 0000001c") + b"Simpang Jl. Diponegoro, Palu",
    bytes.fromhex("04 00000017") + b"penyalahgunaan-wewenang",
    bytes.fromhex("05 0000000000000008"),                    # CHANNEL_KOMPOLNAS
    bytes.fromhex("06 0000000a") + b"sat-lantas",
    bytes.fromhex("07 00000009") + b"Bripka S.",
    bytes.fromhex("08 0000001d") + b"Berseragam Lantas, \xc2\xb130 tahun",
    bytes.fromhex("09 00"),                                  # not confidential
    bytes.fromhex("0a 01"),                                  # shares the identity
    bytes.fromhex("0b 00000015") + b"KOMPOLNAS-2026-000123",
    bytes.fromhex("0c 00064bff44931ee0"),                    # 1772409599500000 us
    bytes.fromhex("0d 00000020") + GOLDEN_IDENTITY_COMMITMENT,
    bytes.fromhex("0e 000000000000503e"),                    # day 20542 = 2026-03-30
])
GOLDEN_RECEIVED_ENTRY = b"".join([
    b"dumas-log-entry/v1\n",
    bytes.fromhex("0000000e") + b"K7QM-4R9X-2HTZ",
    bytes.fromhex("00000008") + b"RECEIVED",
    bytes.fromhex("00064bffafe67440"),                       # 1772411400123456 us
    bytes.fromhex("0000000000000007"),                       # principals/7
    bytes.fromhex("00 01 01"),                               # from -, to RECEIVED, public
    bytes.fromhex("00000013") + b"Pengaduan diterima.",
    bytes.fromhex("00000000"),                               # no internal note
    bytes.fromhex("0000010a") + GOLDEN_RECEIVED_DETAILS,     # 266 bytes
])
GOLDEN_RECEIVED_LEAF_HASH = bytes.fromhex(
    "b02f4a693b0795b05cade6f15100931ae87f7de42276ec0579a941dec93aee87")

# A later change with every tag 20-31 (more than one real event sets at once,
# to pin each encoding), by a principal, not public-free.
GOLDEN_LATER_CHANGE = vector_text("answered.textproto")
GOLDEN_LATER_DETAILS = b"".join([
    bytes.fromhex("14 0000000000000008"),                    # ANSWERED
    bytes.fromhex("15 00000006") + b"propam",
    bytes.fromhex("16 00064d6b0ae6c800"),                    # 1773972000000000 us
    bytes.fromhex("17 000000000000506f"),                    # day 20591 = 2026-05-18
    bytes.fromhex("18 00065068f22b2a81"),                    # 1777261530000001 us
    bytes.fromhex("19 00000022") + b"Terbukti; anggota diproses Propam.",
    bytes.fromhex("1a 0000000000000001"),                    # SUBSTANTIATED
    bytes.fromhex("1b 00"),                                  # no clarification pending
    bytes.fromhex("1c 00000000"),                            # present, empty
    bytes.fromhex("1d 0000000000000004"),
    bytes.fromhex("1e 0000000000000009"),
    bytes.fromhex("1f 01"),
])
GOLDEN_LATER_ENTRY = b"".join([
    b"dumas-log-entry/v1\n",
    bytes.fromhex("0000000e") + b"K7QM-4R9X-2HTZ",
    bytes.fromhex("00000008") + b"ANSWERED",
    bytes.fromhex("00065068f22b2a81"),
    bytes.fromhex("000000000000000c"),                       # principals/12
    bytes.fromhex("07 08 01"),                               # CONCLUDED -> ANSWERED, public
    bytes.fromhex("0000001c") + b"Jawaban resmi telah dikirim.",
    bytes.fromhex("00000016") + b"Disetujui Kasi Propam.",
    bytes.fromhex("0000007a") + GOLDEN_LATER_DETAILS,        # 122 bytes
])
GOLDEN_LATER_LEAF_HASH = bytes.fromhex(
    "11ea854ee9bc344efa88ca6f0d83400cd055181750eee0ce19cd5f5305b76f0b")

# An identity read: no state change, not public, no details.
GOLDEN_IDENTITY_READ_CHANGE = vector_text("identity_read.textproto")
GOLDEN_IDENTITY_READ_ENTRY = b"".join([
    b"dumas-log-entry/v1\n",
    bytes.fromhex("0000000e") + b"K7QM-4R9X-2HTZ",
    bytes.fromhex("0000000d") + b"IDENTITY_READ",
    bytes.fromhex("00064d6b0ae6c800"),
    bytes.fromhex("0000000000000003"),
    bytes.fromhex("00 00 00"),
    bytes.fromhex("00000000 00000000 00000000"),             # "", "", no details
])
GOLDEN_IDENTITY_READ_LEAF_HASH = bytes.fromhex(
    "ca803255e5f141391f8ebd5125b24ac48afadd0d7d7acbe3b0ca69b197d4ff18")

# A record of the resort itself: a frozen report's digest, SHA-256("anev 2026-10").
GOLDEN_RECORD_CHANGE = vector_text("record.textproto")
GOLDEN_RECORD_ENTRY = b"".join([
    b"dumas-log-record/v1\n",
    bytes.fromhex("0000000b") + b"ANEV_REPORT",
    bytes.fromhex("0000000f") + b"reports/2026-10",
    bytes.fromhex("00065f2cf7c38690"),                       # 1793496600250000 us
    bytes.fromhex("00000020") + hashlib.sha256(b"anev 2026-10").digest(),
])
GOLDEN_RECORD_LEAF_HASH = bytes.fromhex(
    "b9efa5734e45b95f7d39cd81e7fe173225391ae66272d007b5422f43af6cb552")


def change_of(textproto):
    return text_format.Parse(textproto, isvc.Change())


def flip_bit(data, bit):
    data = bytearray(data)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


def synthetic_leaves(n):
    return [log.hash_leaf(i.to_bytes(4, "big")) for i in range(n)]


class Rfc6962VectorsTest(unittest.TestCase):

    def test_leaf_hashes(self):
        self.assertEqual([log.hash_leaf(x) for x in RFC6962_LEAF_INPUTS],
                         RFC6962_LEAF_HASHES)

    def test_roots_of_every_prefix(self):
        for n, root in enumerate(RFC6962_ROOTS):
            with self.subTest(size=n):
                self.assertEqual(log.root_from_leaves(RFC6962_LEAF_HASHES[:n]), root)
                self.assertEqual(log.MerkleTree(RFC6962_LEAF_HASHES[:n]).root(), root)
                compact = log.CompactRange()
                for leaf in RFC6962_LEAF_HASHES[:n]:
                    compact.append(leaf)
                self.assertEqual(compact.root(), root)

    def test_inclusion_vectors(self):
        tree = log.MerkleTree(RFC6962_LEAF_HASHES)
        for index, size, proof in RFC6962_INCLUSION:
            proof = [bytes.fromhex(h) for h in proof]
            with self.subTest(index=index, size=size):
                self.assertTrue(log.verify_inclusion(index, size, RFC6962_LEAF_HASHES[index],
                                                     proof, RFC6962_ROOTS[size]))
                self.assertEqual(tree.inclusion_proof(index, size), proof)
                # transparency-dev's mutations of the size, which must fail
                # (not every other size must: the proof of leaf 1 of 5 also
                # fits a tree of 6 whose root would be the one of 5).
                for wrong_size in (size * 2, size // 2):
                    if wrong_size != size and wrong_size > index:
                        self.assertFalse(log.verify_inclusion(
                            index, wrong_size, RFC6962_LEAF_HASHES[index], proof,
                            RFC6962_ROOTS[size]), wrong_size)

    def test_consistency_vectors(self):
        tree = log.MerkleTree(RFC6962_LEAF_HASHES)
        for first, second, proof in RFC6962_CONSISTENCY:
            proof = [bytes.fromhex(h) for h in proof]
            with self.subTest(first=first, second=second):
                self.assertTrue(log.verify_consistency(
                    first, second, RFC6962_ROOTS[first], RFC6962_ROOTS[second], proof))
                self.assertEqual(tree.consistency_proof(first, second), proof)
                if first != second:
                    self.assertFalse(log.verify_consistency(
                        first, second, RFC6962_ROOTS[second], RFC6962_ROOTS[first], proof))
                    self.assertFalse(log.verify_consistency(
                        first, second * 2, RFC6962_ROOTS[first], RFC6962_ROOTS[second], proof))

    def test_empty_tree(self):
        self.assertEqual(log.root_from_leaves([]), hashlib.sha256(b"").digest())
        self.assertEqual(log.CompactRange().root(), log.EMPTY_ROOT)
        self.assertFalse(log.verify_inclusion(0, 0, RFC6962_LEAF_HASHES[0], [], log.EMPTY_ROOT))
        self.assertFalse(log.verify_consistency(0, 1, log.EMPTY_ROOT, RFC6962_ROOTS[1], []))
        self.assertFalse(log.verify_consistency(0, 0, log.EMPTY_ROOT, log.EMPTY_ROOT, []))


class ProofsOfAllSizesTest(unittest.TestCase):
    """Every inclusion and consistency proof of trees up to 64 leaves, from
    MerkleTree, verifies; every mutation of one is rejected."""

    N = 64

    @classmethod
    def setUpClass(cls):
        cls.leaves = synthetic_leaves(cls.N + 1)
        cls.tree = log.MerkleTree(cls.leaves)
        cls.roots = [cls.tree.root(n) for n in range(cls.N + 1)]

    def test_roots_agree(self):
        for n in range(200):
            leaves = synthetic_leaves(n)
            compact = log.CompactRange()
            closed = {}
            for leaf in leaves:
                for level, index, node in compact.append(leaf):
                    closed[(level, index)] = node
            tree = log.MerkleTree(leaves)
            with self.subTest(size=n):
                root = log.root_from_leaves(iter(leaves))
                self.assertEqual(root, tree.root())
                self.assertEqual(root, compact.root())
                self.assertEqual(compact.size, n)
                # The compact range is the complete subtrees of n's bits,
                # and CompactRange.append reported each closed subtree.
                positions = log.subtree_positions(n)
                self.assertEqual(len(positions), len(compact.nodes))
                for (level, index), node in zip(positions, compact.nodes):
                    self.assertEqual(tree.levels[level][index], node)
                    if level:
                        self.assertEqual(closed[(level, index)], node)
                self.assertEqual(log.CompactRange(n, compact.nodes).root(), root)
                for (level, index), node in closed.items():
                    self.assertEqual(tree.levels[level][index], node)

    def test_inclusion(self):
        for size in range(1, self.N + 1):
            root = self.roots[size]
            for index in range(size):
                leaf = self.leaves[index]
                proof = self.tree.inclusion_proof(index, size)
                with self.subTest(index=index, size=size):
                    self.assertTrue(log.verify_inclusion(index, size, leaf, proof, root))
                    for bad in self._mutations(proof):
                        self.assertFalse(log.verify_inclusion(index, size, leaf, bad, root))
                    self.assertFalse(log.verify_inclusion(
                        index, size, self.leaves[self.N], proof, root))
                    self.assertFalse(log.verify_inclusion(
                        index, size, leaf, proof, self.roots[size - 1]))
                    self.assertFalse(log.verify_inclusion(index, size, leaf, proof, leaf + b"x"))
                    for other in (index - 1, index + 1, size, -1):
                        if 0 <= other < size and self.leaves[other] == leaf:
                            continue
                        self.assertFalse(log.verify_inclusion(other, size, leaf, proof, root))

    def test_consistency(self):
        for second in range(1, self.N + 1):
            for first in range(1, second + 1):
                proof = self.tree.consistency_proof(first, second)
                r1, r2 = self.roots[first], self.roots[second]
                with self.subTest(first=first, second=second):
                    self.assertTrue(log.verify_consistency(first, second, r1, r2, proof))
                    for bad in self._mutations(proof):
                        self.assertFalse(log.verify_consistency(first, second, r1, r2, bad))
                    other = self.roots[first - 1] if first > 1 else self.leaves[self.N]
                    self.assertFalse(log.verify_consistency(first, second, other, r2, proof))
                    self.assertFalse(log.verify_consistency(first, second, r1, other, proof))
                    self.assertFalse(log.verify_consistency(0, second, r1, r2, proof))
                    self.assertFalse(log.verify_consistency(second + 1, second, r1, r2, proof))
                    if first != second:
                        self.assertFalse(log.verify_consistency(first, second, r2, r1, proof))
                        self.assertFalse(log.verify_consistency(first, second, r1, r2, []))

    def _mutations(self, proof):
        """Each hash with a bit flipped, each hash dropped, one extra hash
        at either end, the last two swapped."""
        extra = hashlib.sha256(b"extra").digest()
        for i, node in enumerate(proof):
            for bit in (0, 100, 255):
                yield proof[:i] + [flip_bit(node, bit)] + proof[i + 1:]
            yield proof[:i] + proof[i + 1:]
        yield proof + [extra]
        yield [extra] + proof
        if len(proof) >= 2 and proof[-1] != proof[-2]:
            yield proof[:-2] + [proof[-1], proof[-2]]
        if proof:
            yield proof[:-1] + [proof[-1][:31]]


class CanonicalEncodingTest(unittest.TestCase):

    def test_golden_received(self):
        change = change_of(GOLDEN_RECEIVED_CHANGE)
        self.assertEqual(change.details.identity_commitment, GOLDEN_IDENTITY_COMMITMENT)
        self.assertEqual(log.details_bytes(change.details), GOLDEN_RECEIVED_DETAILS)
        self.assertEqual(log.entry_bytes(change), GOLDEN_RECEIVED_ENTRY)
        self.assertEqual(log.hash_leaf(GOLDEN_RECEIVED_ENTRY), GOLDEN_RECEIVED_LEAF_HASH)
        self.assertEqual(log.leaf_hash(change), GOLDEN_RECEIVED_LEAF_HASH)

    def test_golden_later(self):
        change = change_of(GOLDEN_LATER_CHANGE)
        self.assertEqual(log.details_bytes(change.details), GOLDEN_LATER_DETAILS)
        self.assertEqual(log.entry_bytes(change), GOLDEN_LATER_ENTRY)
        self.assertEqual(log.leaf_hash(change), GOLDEN_LATER_LEAF_HASH)

    def test_golden_record(self):
        change = change_of(GOLDEN_RECORD_CHANGE)
        self.assertEqual(log.record_bytes(change), GOLDEN_RECORD_ENTRY)
        self.assertEqual(log.leaf_hash(change), GOLDEN_RECORD_LEAF_HASH)
        for bad in ({"kind": "anev"}, {"kind": ""}, {"name": ""}, {"digest": b"\x00" * 31}):
            broken = change_of(GOLDEN_RECORD_CHANGE)
            for field, value in bad.items():
                setattr(broken.record, field, value)
            with self.assertRaises(log.EncodingError):
                log.leaf_hash(broken)

    def test_golden_identity_read(self):
        change = change_of(GOLDEN_IDENTITY_READ_CHANGE)
        self.assertEqual(log.entry_bytes(change), GOLDEN_IDENTITY_READ_ENTRY)
        self.assertEqual(log.leaf_hash(change), GOLDEN_IDENTITY_READ_LEAF_HASH)
        # Details present but empty encode as no details.
        change.details.SetInParent()
        self.assertEqual(log.entry_bytes(change), GOLDEN_IDENTITY_READ_ENTRY)

    def test_every_details_field_has_its_tag(self):
        fields = {f.number: f.name for f in isvc.ComplaintDetails.DESCRIPTOR.fields}
        self.assertEqual(fields, {tag: row[0] for tag, row in log.DETAIL_FIELDS.items()})
        for field in isvc.ComplaintDetails.DESCRIPTOR.fields:
            # Presence is what the encoding follows: every field has it.
            self.assertTrue(field.has_presence, field.name)

    def test_presence_not_value_decides(self):
        change = change_of(GOLDEN_IDENTITY_READ_CHANGE)
        change.details.answer_text = ""
        self.assertEqual(log.details_bytes(change.details), bytes.fromhex("19 00000000"))
        change.details.ClearField("answer_text")
        change.details.confidential = False
        self.assertEqual(log.details_bytes(change.details), bytes.fromhex("09 00"))
        change.details.ClearField("confidential")
        change.details.incident_time.SetInParent()
        self.assertEqual(log.details_bytes(change.details),
                         bytes.fromhex("02 0000000000000000"))
        change.details.Clear()
        change.details.subject_unit = ""
        self.assertEqual(log.details_bytes(change.details), bytes.fromhex("06 00000000"))

    def test_order_of_setting_does_not_matter(self):
        golden = change_of(GOLDEN_LATER_CHANGE)
        change = isvc.Change()
        change.CopyFrom(golden)
        change.ClearField("details")
        for field in reversed(golden.details.DESCRIPTOR.fields):
            if golden.details.HasField(field.name):
                value = getattr(golden.details, field.name)
                if field.message_type:
                    getattr(change.details, field.name).CopyFrom(value)
                else:
                    setattr(change.details, field.name, value)
        self.assertEqual(log.entry_bytes(change), GOLDEN_LATER_ENTRY)

    def test_times_and_dates(self):
        change = change_of(GOLDEN_IDENTITY_READ_CHANGE)
        change.event.event_time.seconds = -1
        change.event.event_time.nanos = 999_999_000
        self.assertIn(b"IDENTITY_READ" + b"\xff" * 8, log.entry_bytes(change))
        self.assertEqual(log.timestamp_micros(change.event.event_time), -1)
        change.details.sp3d_due_date.year = 1969
        change.details.sp3d_due_date.month = 12
        change.details.sp3d_due_date.day = 31
        self.assertEqual(log.details_bytes(change.details),
                         bytes.fromhex("0e ffffffffffffffff"))

    def test_rejects_what_has_no_canonical_form(self):
        cases = {
            "sub-microsecond time": lambda c: setattr(c.event.event_time, "nanos", 1),
            "actor not a principal": lambda c: setattr(c.event, "actor", "kompolnas"),
            "principal id not decimal": lambda c: setattr(c.event, "actor", "principals/07"),
            "complaint not a name": lambda c: setattr(c, "complaint", "K7QM-4R9X-2HTZ"),
            "category not a name": lambda c: setattr(c.details, "category", "korupsi"),
            "unit not a name": lambda c: setattr(c.details, "handling_unit", "categories/x"),
            "short commitment": lambda c: setattr(c.details, "identity_commitment", b"x" * 31),
            "rating 0": lambda c: setattr(c.details, "satisfaction_rating", 0),
            "rating 6": lambda c: setattr(c.details, "satisfaction_rating", 6),
            "answer_cleared false": lambda c: setattr(c.details, "answer_cleared", False),
            "date without a day": lambda c: c.details.result_due_date.MergeFrom(
                isvc.ComplaintDetails().result_due_date.__class__(year=2026, month=5)),
            "state beyond uint8": lambda c: setattr(c.event, "to_state", 300),
        }
        for name, mutate in cases.items():
            change = change_of(GOLDEN_IDENTITY_READ_CHANGE)
            mutate(change)
            with self.subTest(name), self.assertRaises(log.EncodingError) as raised:
                log.entry_bytes(change)
            self.assertIn("revision 4", str(raised.exception))

    def test_check_leaf(self):
        change = change_of(GOLDEN_LATER_CHANGE)
        change.leaf_hash = GOLDEN_LATER_LEAF_HASH
        self.assertEqual(log.check_leaf(change), GOLDEN_LATER_LEAF_HASH)
        change.event.internal_note += "."
        with self.assertRaises(log.LeafMismatch) as raised:
            log.check_leaf(change)
        self.assertEqual(raised.exception.revision, 9)
        self.assertEqual(raised.exception.served, GOLDEN_LATER_LEAF_HASH)
        self.assertNotIn("Propam", str(raised.exception))


class IdentityTest(unittest.TestCase):

    def identity(self):
        return text_format.Parse(GOLDEN_IDENTITY, isvc.Change().complainant.__class__())

    def test_golden_commitment(self):
        self.assertEqual(log.identity_commitment(GOLDEN_IDENTITY_SALT, self.identity()),
                         GOLDEN_IDENTITY_COMMITMENT)

    def test_verify_identity(self):
        change = change_of(GOLDEN_RECEIVED_CHANGE)
        self.assertFalse(log.verify_identity(change))  # carries none
        change.complainant.CopyFrom(self.identity())
        self.assertTrue(log.verify_identity(change))
        change.complainant.phone = "081245678901"  # the same number, another form
        with self.assertRaises(log.IdentityMismatch) as raised:
            log.verify_identity(change)
        self.assertNotIn("0812", str(raised.exception))
        self.assertNotIn("Siti", str(raised.exception))
        change.complainant.CopyFrom(self.identity())
        change.identity_salt = b""
        with self.assertRaises(log.IdentityMismatch):
            log.verify_identity(change)
        change.identity_salt = GOLDEN_IDENTITY_SALT
        change.details.ClearField("identity_commitment")
        with self.assertRaises(log.IdentityMismatch):
            log.verify_identity(change)


class ApplyDetailsTest(unittest.TestCase):

    def test_fold(self):
        state = isvc.ComplaintDetails()
        log.apply_details(state, change_of(GOLDEN_RECEIVED_CHANGE).details)
        self.assertEqual(state.category, "categories/penyalahgunaan-wewenang")
        answered = isvc.ComplaintDetails(answer_text="Jawaban", state=8, version=7)
        answered.answer_time.seconds = 1777261530
        answered.answer_time.nanos = 5000
        log.apply_details(state, answered)
        self.assertEqual(state.answer_text, "Jawaban")
        reopened = isvc.ComplaintDetails(answer_cleared=True, state=10, version=8)
        log.apply_details(state, reopened)
        self.assertFalse(state.HasField("answer_text"))
        self.assertFalse(state.HasField("answer_time"))
        self.assertFalse(state.HasField("answer_cleared"))
        self.assertEqual(state.state, 10)
        # A cleared and re-given answer in one event: the new one stays, and
        # a time replaces the old one whole (nanos included).
        state.answer_time.nanos = 5000
        again = isvc.ComplaintDetails(answer_cleared=True, answer_text="Baru")
        again.answer_time.seconds = 1777300000
        log.apply_details(state, again)
        self.assertEqual(state.answer_text, "Baru")
        self.assertEqual(state.answer_time.nanos, 0)
        self.assertEqual(state.description, "Diminta uang Rp200.000 saat razia.")


class SignedNoteTest(unittest.TestCase):

    def test_c2sp_example_verifies(self):
        vkey = log.parse_vkey(C2SP_VKEY)
        self.assertEqual((vkey.name, vkey.key_id.hex(), vkey.type),
                         ("example.com/foo", "530d903a", log.SIGNATURE_ED25519))
        self.assertEqual(str(vkey), C2SP_VKEY)
        note = log.parse_note(C2SP_NOTE)
        self.assertEqual(note.text, "This is an example message.\n")
        signature = note.signatures[0]
        self.assertTrue(log._ed25519_verify(vkey.public_key, signature.signature,
                                            note.text.encode()))
        altered = C2SP_NOTE.replace("example message", "example massage")
        signature = log.parse_note(altered).signatures[0]
        self.assertFalse(log._ed25519_verify(vkey.public_key, signature.signature,
                                             log.parse_note(altered).text.encode()))

    def test_c2sp_quasimodo_parses(self):
        note = log.parse_note(C2SP_QUASIMODO.encode("utf-8"))
        self.assertTrue(note.text.endswith("ed \u00e8 subito sera.\n"))
        self.assertIn("\n\n", note.text)  # a blank line inside the text
        self.assertEqual(note.signatures[0].name, "quasimodo.example/salvatore")

    def test_c2sp_cosigned_checkpoint_parses(self):
        checkpoint = log.parse_checkpoint(C2SP_COSIGNED_CHECKPOINT)
        self.assertEqual(checkpoint.origin, "example.com/behind-the-sofa")
        self.assertEqual(checkpoint.size, 20852163)
        self.assertEqual(base64.b64encode(checkpoint.root_hash).decode(),
                         "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
        cosignature = checkpoint.note.signatures[1]
        self.assertEqual(cosignature.name, "witness.example.com/w1")
        # timestamped_signature: u64 timestamp, then 64 bytes of Ed25519.
        self.assertEqual(len(cosignature.signature), 72)
        self.assertEqual(int.from_bytes(cosignature.signature[:8], "big"), 1679315147)
        self.assertEqual(checkpoint.text, C2SP_COSIGNED_CHECKPOINT)

    def test_malformed_notes(self):
        good = C2SP_NOTE
        cases = {
            "no final newline": good[:-1],
            "no blank line": good.replace("\n\n", "\n"),
            "no signature": "text\n\n",
            "control character": good.replace("example", "exa\tmple"),
            "hyphen for em dash": good.replace("\u2014", "-"),
            "no space after name": good.replace("foo ", "foo"),
            "bad base64": good.replace("Uw2Q", "Uw*Q"),
            "short signature": "text\n\n\u2014 a AQID\n",
            "plus in name": good.replace("example.com/foo", "example.com+foo"),
            "not UTF-8": b"text\xff\n\n\u2014 a AQIDBA==\n",
        }
        for name, note in cases.items():
            with self.subTest(name), self.assertRaises(log.SignatureError):
                log.parse_note(note)

    def test_malformed_checkpoint_bodies(self):
        root = base64.b64encode(bytes(32)).decode()
        cases = {
            "two lines": f"origin\n{root}\n",
            "leading zero": f"origin\n010\n{root}\n",
            "negative": f"origin\n-1\n{root}\n",
            "short root": f"origin\n10\n{base64.b64encode(bytes(31)).decode()}\n",
            "non-canonical base64": f"origin\n10\n{root[:-2]}B=\n",
            "empty origin": f"\n10\n{root}\n",
            "empty extension": f"origin\n10\n{root}\n\n",
        }
        for name, body in cases.items():
            with self.subTest(name), self.assertRaises(log.SignatureError):
                log.parse_checkpoint_body(body)
        self.assertEqual(log.parse_checkpoint_body(f"o\n0\n{root}\n").size, 0)
        self.assertEqual(log.parse_checkpoint_body(f"o\n1\n{root}\next\n").extensions, ("ext",))

    def test_vkeys(self):
        seed = bytes(range(32))
        signer = log.NoteSigner("dumas.polres-palu.polri.go.id/log", seed)
        vkey = log.parse_vkey(signer.vkey)
        self.assertEqual(vkey.public_key, signer.public_key)
        self.assertEqual(log.format_vkey(vkey.name, vkey.type, vkey.public_key), signer.vkey)
        name, hex_id, key = signer.vkey.split("+", 2)
        bad = {
            "wrong key id": f"{name}+{'0' * 8}+{key}",
            "short key id": f"{name}+{hex_id[:6]}+{key}",
            "other name": f"other.example/log+{hex_id}+{key}",
            "two parts": f"{name}+{hex_id}",
            "type 0x02": f"{name}+{hex_id}+" + base64.b64encode(b"\x02" + bytes(32)).decode(),
            "short key": f"{name}+{hex_id}+" + base64.b64encode(b"\x01" + bytes(31)).decode(),
        }
        for what, text in bad.items():
            with self.subTest(what), self.assertRaises(log.SignatureError):
                log.parse_vkey(text)


class CheckpointSignatureTest(unittest.TestCase):
    ORIGIN = "dumas.polres-palu.polri.go.id/log"

    def setUp(self):
        self.signer = log.NoteSigner(self.ORIGIN, bytes(range(32)))
        self.body = log.format_checkpoint_body(self.ORIGIN, 8, RFC6962_ROOTS[8])
        self.note = self.signer.sign_note(self.body)

    def test_verifies(self):
        checkpoint = log.verify_checkpoint(self.note, self.signer.vkey)
        self.assertEqual((checkpoint.origin, checkpoint.size, checkpoint.root_hash),
                         (self.ORIGIN, 8, RFC6962_ROOTS[8]))
        self.assertEqual(checkpoint.text, self.note)

    def test_unknown_signatures_are_ignored(self):
        stranger = log.NoteSigner("someone.example/log", bytes(32))
        witness = log.WitnessKey("kompolnas.go.id/witness", bytes(32))
        note = (self.body + "\n" + stranger.sign(self.body) + self.signer.sign(self.body) +
                witness.cosign(self.body, 1700000000))
        log.verify_checkpoint(note, self.signer.vkey)

    def test_rejects(self):
        stranger = log.NoteSigner(self.ORIGIN, bytes(32))  # same name, another key
        other_body = log.format_checkpoint_body(self.ORIGIN, 8, RFC6962_ROOTS[7])
        forged = log.parse_note(self.signer.sign_note(other_body)).signatures[0].line
        cases = {
            "only another key": stranger.sign_note(self.body),
            "altered root": self.note.replace(self.body, other_body),
            "altered size": self.note.replace("\n8\n", "\n9\n"),
            "one bad signature among good": self.note + forged + "\n",
            "origin not the key's": log.NoteSigner("x.example/log", bytes(32)).sign_note(
                log.format_checkpoint_body("x.example/log", 8, RFC6962_ROOTS[8])),
        }
        for name, note in cases.items():
            with self.subTest(name), self.assertRaises(log.SignatureError):
                log.verify_checkpoint(note, self.signer.vkey)
        with self.assertRaises(log.SignatureError):
            log.verify_checkpoint(self.note, log.WitnessKey("w", bytes(32)).vkey)


class CosignatureTest(unittest.TestCase):
    ORIGIN = "dumas.polres-palu.polri.go.id/log"
    WITNESS = "kompolnas.go.id/witness"

    def setUp(self):
        self.signer = log.NoteSigner(self.ORIGIN, bytes(range(32)))
        self.body = log.format_checkpoint_body(self.ORIGIN, 5, RFC6962_ROOTS[5])
        self.note = self.signer.sign_note(self.body)

    def test_round_trip(self):
        seed, vkey = log.generate_witness_key(self.WITNESS)
        parsed = log.parse_vkey(vkey)
        self.assertEqual((parsed.name, parsed.type), (self.WITNESS, log.SIGNATURE_COSIGNATURE_V1))
        witness = log.WitnessKey(self.WITNESS, seed)
        self.assertEqual(witness.vkey, vkey)
        line = witness.cosign(self.body, 1679315147)
        self.assertTrue(line.startswith("\u2014 kompolnas.go.id/witness ") and line.endswith("\n"))
        cosigned = self.note + line
        self.assertEqual(log.verify_cosignature(cosigned, vkey), 1679315147)
        log.verify_checkpoint(cosigned, self.signer.vkey)
        raw = base64.b64decode(line.split(" ")[2])
        self.assertEqual(raw[:4], parsed.key_id)
        self.assertEqual(raw[4:12], (1679315147).to_bytes(8, "big"))
        # The signed message is exactly the three lines of the spec.
        message = b"cosignature/v1\ntime 1679315147\n" + self.body.encode()
        log.parse_vkey(vkey)
        self.assertTrue(log._ed25519_verify(parsed.public_key, raw[12:], message))

    def test_rejects(self):
        witness = log.WitnessKey(self.WITNESS, bytes(range(1, 33)))
        line = witness.cosign(self.body, 1700000000)
        raw = bytearray(base64.b64decode(line.split(" ")[2]))
        raw[11] ^= 1  # another timestamp
        retimed = f"\u2014 {self.WITNESS} {base64.b64encode(bytes(raw)).decode()}\n"
        other_body = log.format_checkpoint_body(self.ORIGIN, 6, RFC6962_ROOTS[6])
        cases = {
            "altered timestamp": self.note + retimed,
            "cosigned another body": self.note + witness.cosign(other_body, 1700000000),
            "not cosigned": self.note,
            "another witness": self.note + log.WitnessKey(self.WITNESS, bytes(32)).cosign(
                self.body, 1700000000),
        }
        for name, note in cases.items():
            with self.subTest(name), self.assertRaises(log.SignatureError):
                log.verify_cosignature(note, witness.vkey)
        with self.assertRaises(log.SignatureError):
            log.verify_cosignature(self.note + line, self.signer.vkey)

    def test_key_file(self):
        witness = log.WitnessKey(self.WITNESS, bytes(range(32)))
        text = witness.key_file_text()
        self.assertTrue(text.startswith("PRIVATE+KEY+kompolnas.go.id/witness+"))
        again = log.WitnessKey.from_key_file_text(text)
        self.assertEqual(again.vkey, witness.vkey)
        with self.assertRaises(ValueError):
            log.WitnessKey.from_key_file_text(text.replace("+kompolnas", "+kompolnaz"))


class SplitViewTest(unittest.TestCase):
    ORIGIN = "dumas.polres-palu.polri.go.id/log"

    def test_detect(self):
        signer = log.NoteSigner(self.ORIGIN, bytes(range(32)))
        a = signer.sign_note(log.format_checkpoint_body(self.ORIGIN, 6, RFC6962_ROOTS[6]))
        b = signer.sign_note(log.format_checkpoint_body(self.ORIGIN, 6, RFC6962_ROOTS[5]))
        split = log.detect_split_view(a, b, signer.vkey)
        self.assertEqual((split.size, split.root_a, split.root_b),
                         (6, RFC6962_ROOTS[6], RFC6962_ROOTS[5]))
        self.assertEqual((split.note_a, split.note_b), (a, b))
        self.assertIsNone(log.detect_split_view(a, a, signer.vkey))
        witness = log.WitnessKey("w.example/w", bytes(32))
        body = log.format_checkpoint_body(self.ORIGIN, 6, RFC6962_ROOTS[6])
        self.assertIsNone(log.detect_split_view(a, a + witness.cosign(body), signer.vkey))
        c = signer.sign_note(log.format_checkpoint_body(self.ORIGIN, 7, RFC6962_ROOTS[7]))
        with self.assertRaises(ValueError):
            log.detect_split_view(a, c, signer.vkey)
        forged = log.NoteSigner(self.ORIGIN, bytes(32)).sign_note(
            log.format_checkpoint_body(self.ORIGIN, 6, RFC6962_ROOTS[5]))
        with self.assertRaises(log.SignatureError):
            log.detect_split_view(a, forged, signer.vkey)


class LogVerifierTest(unittest.TestCase):
    ORIGIN = "dumas.polres-palu.polri.go.id/log"

    def setUp(self):
        self.log = FakeLog(self.ORIGIN, bytes(range(32)))
        for i in range(37):
            self.log.append(synthetic_change(i))
        self.first = self.log.sign_checkpoint()
        for i in range(37, 100):
            self.log.append(synthetic_change(i))
        self.log.sign_checkpoint()
        self.stub = FakeStub(self.log)

    def verifier(self, previous=None):
        return log.LogVerifier(self.stub, self.log.signer.vkey, previous=previous)

    def test_clean_log(self):
        verifier = self.verifier(self.first)
        checkpoint = verifier.update()
        self.assertEqual(checkpoint.size, 100)
        seen = []
        report = verifier.audit(checkpoint, page_size=7,
                                on_change=lambda change, leaf: seen.append(change.revision))
        self.assertTrue(report.ok, report.describe())
        self.assertEqual(seen, list(range(1, 101)))
        self.assertEqual(report.root, checkpoint.root_hash)
        change = next(verifier.changes(41, 42))
        verifier.verify_inclusion_of(change, checkpoint)

    def test_altered_event(self):
        self.log.changes[56].event.internal_note = "diubah"
        report = self.verifier().audit()
        self.assertFalse(report.ok)
        self.assertEqual(report.first_leaf_mismatch.revision, 57)
        self.assertEqual(report.leaf_mismatches, 1)
        self.assertEqual(report.root_mismatch.first_bad_revision, 57)
        self.assertIn("revision 57", report.describe())

    def test_altered_event_and_leaf(self):
        # The served leaf hashes follow the altered events: only the signed
        # root tells, and the consistency proofs locate the revision.
        for index in (70, 90):
            self.log.changes[index].event.public_message = "diubah"
            self.log.changes[index].leaf_hash = log.leaf_hash(self.log.changes[index])
        report = self.verifier().audit()
        self.assertIsNone(report.first_leaf_mismatch)
        self.assertEqual(report.root_mismatch.first_bad_revision, 71)

    def test_unencodable_event(self):
        self.log.changes[10].event.event_time.nanos = 1
        report = self.verifier().audit()
        self.assertIsInstance(report.first_leaf_mismatch, log.EncodingError)
        self.assertIn("revision 11", str(report.first_leaf_mismatch))
        self.assertIsNone(report.root_mismatch)  # the logged leaf stood in for it

    def test_gap(self):
        del self.log.changes[30]
        report = self.verifier().audit(page_size=10)
        self.assertEqual((report.gap.expected, report.gap.got), (31, 32))
        self.assertFalse(report.ok)

    def test_feed_ends_early(self):
        del self.log.changes[95:]
        report = self.verifier().audit(page_size=50)
        self.assertEqual((report.gap.expected, report.gap.got), (96, None))

    def test_inconsistent_checkpoint(self):
        previous = self.first
        self.log.rewrite(20, synthetic_change(1000))  # history rewritten
        with self.assertRaises(log.InconsistentCheckpoints):
            self.verifier(previous).update()

    def test_split_view(self):
        previous = self.log.checkpoint_note
        self.log.rewrite(99, synthetic_change(1000))  # same size, other root
        with self.assertRaises(log.SplitViewError) as raised:
            self.verifier(previous).update()
        self.assertEqual(raised.exception.evidence.size, 100)

    def test_bad_signature(self):
        self.log.checkpoint_note = self.log.checkpoint_note.replace("\n100\n", "\n101\n")
        with self.assertRaises(log.SignatureError):
            self.verifier().update()
        stranger = log.NoteSigner(self.ORIGIN, bytes(32))
        with self.assertRaises(log.SignatureError):
            log.LogVerifier(self.stub, stranger.vkey).update()


if __name__ == "__main__":
    unittest.main()
