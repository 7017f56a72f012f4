"""Kinds of miss found in held-out set 9 (tests/compliance/heldout9/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from netmon.errors import InputError
from netmon.platforms.detect import detect

from .conftest import one_config

# --- detection: what only VRP8 (NE40E V800, CloudEngine) writes ------------------------------------

# A short VRP8 router block: no "!Software Version" header, no CloudEngine port name or board line.
# Each fact alone, on top of a neutral VRP body, must tell VRP8 (huawei_ce) from VRP5.
BODY = "#\nsysname R1\n#\ninterface LoopBack0\n ip address 10.0.0.1 255.255.255.255\n#\n"
VRP8_FACTS = {
    "hash_1c": "aaa\n local-user ops1 password irreversible-cipher $1c$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "hash_1d": "aaa\n local-user ops1 password irreversible-cipher $1d$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "task_group": "aaa\n task-group ops\n  task ospf read write\n user-group ops\n  task-group ops\n",
    "snmp_min_length": "snmp-agent\nsnmp-agent password min-length 12\nsnmp-agent sys-info version v3\n",
    "aaa_sub_view_opened": "aaa\n #\n authentication-scheme default\n #\n domain default\n",
    "reversible_at_pct": "aaa\n local-user ops1 password cipher @%@%Ab12Cd34Ef56@%@%\n",
}


@pytest.mark.parametrize("fact", sorted(VRP8_FACTS))
def test_a_vrp8_fact_tells_a_headerless_router_block_from_vrp5(fact: str) -> None:
    text = BODY + VRP8_FACTS[fact] + "#\nreturn\n"
    d = detect(text)
    assert d.platform == "huawei_ce", (fact, d.scores)
    assert one_config(text).vendor == "huawei_ce"


# The VRP5 spellings of the same facts stay VRP5.
VRP5_FACTS = {
    "hash_1a": "aaa\n local-user ops1 password irreversible-cipher $1a$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "aaa_sub_view_closed": "aaa\n authentication-scheme default\n #\n domain default\n #\n",
    "reversible_pct_at": "aaa\n local-user ops1 password cipher %@%@Ab12Cd34Ef56%@%@\n",
}


@pytest.mark.parametrize("fact", sorted(VRP5_FACTS))
def test_the_vrp5_spelling_of_the_same_fact_stays_vrp5(fact: str) -> None:
    text = BODY + "user-interface vty 0 4\n authentication-mode aaa\n" + VRP5_FACTS[fact] + "#\nreturn\n"
    d = detect(text)
    assert d.platform == "huawei_vrp", (fact, d.scores)


def test_pct_hash_ciphertext_tells_vrp_from_comware() -> None:
    # %#%#...%#%# is Huawei's ciphertext (VRP5 and VRP8); Comware writes $c$3$...: with only an
    # SNMP block and "#" separators, the ciphertext decides the family.
    snmp = "snmp-agent community read %#%#Xy12Zz34Ww56%#%# acl 2001\n"
    text = "#\nsysname R1\n#\n" + snmp + "#\nreturn\n"
    d = detect(text)
    assert d.platform in ("huawei_vrp", "huawei_ce"), d.scores
    bare = "#\nsysname R1\n#\nsnmp-agent sys-info version v3\n#\nreturn\n"
    assert detect(bare).platform is None  # nothing Huawei-only: still refused


def test_a_block_with_no_dialect_fact_is_still_refused_with_the_message() -> None:
    text = "#\nsysname R1\n#\nospf 1\n area 0.0.0.0\n  network 10.0.0.0 0.0.0.255\n#\nreturn\n"
    with pytest.raises(InputError, match="cannot tell the vendor"):
        one_config(text)
