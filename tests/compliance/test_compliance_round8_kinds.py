"""Kinds of miss found in held-out set 6 (tests/compliance/heldout6/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netmon.compliance.engine import evaluate_rule
from netmon.compliance.source import load_device_configs
from netmon.errors import InputError
from netmon.platforms import platforms
from tests.conftest import run_netmon

from .conftest import one_config

ROOT = Path(__file__).resolve().parents[2]
SKELETONS = ROOT / "tests/compliance/configs"
IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nline vty 0 4\n transport input ssh\n!\nend\n"


def verdicts(rules, text: str, vendor: str | None = None) -> dict[str, str]:
    cfg = one_config(text, vendor)
    return {rid: evaluate_rule(r, cfg).result for rid, r in rules.items()}


# --- an IOS `macro name` block: its script (to a line `@`) is literal text, not configuration ----------

# A Catalyst smartport macro as `show running-config` prints it: at column 0, holding lines that
# read like configuration ("end", "exit", "interface", "no ...") and are run only when applied.
MACRO = (
    "macro name uplink\n"
    "end\n"
    "interface $port\n"
    "no ip http server\n"
    "ip http server\n"
    "exit\n"
    "@\n"
)


def test_a_macro_block_is_read_as_literal_text_not_a_second_configuration() -> None:
    text = IOS.format(body=MACRO + "!\nip http server\n")
    [cfg] = load_device_configs(text.encode(), "t.cfg")
    assert cfg.vendor == "cisco_ios" and cfg.tree.ended and not cfg.notes
    macro = next(t for t in cfg.tree.top if t.text == "macro name uplink")
    assert [c.text for c in macro.children] == ["end", "interface $port", "no ip http server", "ip http server", "exit", "@"]
    assert all(c.banner for c in macro.children)
    # the lines after the macro are configuration again
    assert [t.text for t in cfg.tree.top_by_word("ip")] == ["ip http server"]
    assert not cfg.tree.top_by_word("interface") and cfg.tree.top_by_word("line")


def test_a_macro_changes_no_verdict(rules) -> None:
    """The script's lines are in effect only where the macro is applied: every rule judges the
    configuration as if the macro were not there."""
    plain = IOS.format(body="ip http server\n")
    assert verdicts(rules, IOS.format(body=MACRO + "!\nip http server\n")) == verdicts(rules, plain)


def test_an_unended_macro_is_reported_not_fatal() -> None:
    text = "version 15.2\nhostname R1\n!\nmacro name broken\ninterface $port\n shutdown\n"
    cfg = one_config(text, "cisco_ios")
    assert any("macro block never ends" in n and "line 4" in n for n in cfg.notes), cfg.notes


def test_a_second_configuration_after_one_holding_a_macro_still_splits() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8")
    first = ios.replace("\nend", "\n" + MACRO + "!\nend", 1)
    cfgs = load_device_configs((first + ios).encode(), "t.cfg")
    assert len(cfgs) == 2 and cfgs[1].first_line == len(first.splitlines()) + 1


def test_literal_blocks_are_platform_grammar_data() -> None:
    """The macro form is declared in the IOS grammar (config.yaml), not coded for IOS."""
    assert platforms()["cisco_ios"].grammar.literal_blocks == {"macro name": "@"}
    # a platform without that form reads "macro name X" as an ordinary line
    assert "macro name" not in platforms()["huawei_vrp"].grammar.literal_blocks


# --- a configuration published inside a Markdown code fence --------------------------------------------


@pytest.mark.parametrize(
    ("skeleton", "vendor", "open_fence", "close_fence"),
    [
        ("cisco_compliant.cfg", "cisco_ios", "```", "```"),
        ("cisco_compliant.cfg", "cisco_ios", "```text", "```"),
        ("huawei_compliant.cfg", "huawei_vrp", "~~~", "~~~"),
    ],
    ids=["ios", "ios-language-tag", "vrp-tilde"],
)
def test_a_fenced_configuration_is_scanned_and_the_markdown_noted(
    rules, skeleton: str, vendor: str, open_fence: str, close_fence: str
) -> None:
    cfg_text = (SKELETONS / skeleton).read_text(encoding="utf-8").rstrip("\n") + "\n"
    n = len(cfg_text.splitlines())
    text = f"# Configuration of the core switch\n\nAs deployed:\n{open_fence}\n{cfg_text}{close_fence}\n"
    [cfg] = load_device_configs(text.encode(), "page.md")
    assert cfg.vendor == vendor and cfg.first_line == 5 and cfg.tree.ended
    assert "lines 1-4: Markdown before the code fence the configuration is in, not read" in cfg.notes
    assert f"line {n + 5} after the configuration's last line: a Markdown code fence, not read" in cfg.notes
    # the verdicts are those of the bare configuration
    bare = one_config(cfg_text, vendor)
    assert {r: evaluate_rule(x, cfg).result for r, x in rules.items()} == {
        r: evaluate_rule(x, bare).result for r, x in rules.items()
    }


def test_prose_after_the_closing_fence_is_noted_not_refused() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    n = len(ios.splitlines())
    text = f"```\n{ios}```\n\nThe VLANs are then trunked to the core.\n"
    [cfg] = load_device_configs(text.encode(), "page.md")
    assert (
        f"lines {n + 2}-{n + 4} after the configuration's last line: a Markdown code fence and what follows it, "
        "not read" in cfg.notes
    ), cfg.notes


def test_two_fenced_configurations_are_two_devices(tmp_path: Path) -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    vrp = (SKELETONS / "huawei_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    f = tmp_path / "two.md"
    f.write_text(f"## Edge\n```\n{ios}```\n\n## Core\n```\n{vrp}```\n", encoding="utf-8")
    r = run_netmon("scan", str(f), "-f", "json")
    assert r.returncode == 0, r.stderr
    devs = json.loads(r.stdout)["devices"]
    assert [d["vendor"] for d in devs] == ["cisco_ios", "huawei_vrp"]
    # the second device starts after its own fence, and the Markdown before it is named
    assert devs[1]["source"] == f"{f}#2"
    assert any("Markdown before the code fence" in n for n in devs[1]["notes"]), devs[1]["notes"]


def test_text_after_the_last_line_without_a_fence_is_still_refused() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_device_configs((ios + "\ninterface GigabitEthernet0/9\n shutdown\n```\n").encode(), "t.cfg")
    assert "more text after the configuration's last line" in exc.value.problems[0].reason
