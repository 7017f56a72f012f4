"""Round 15 (tests/compliance/heldout13/CHANGES.md): an SSID admits stations only where each station
authenticates; an open SSID or a shared key (PSK, SAE, WEP) admits anyone in range or holding the key.
Synthetic cases written from that description, one dialect at a time, never from a held-out file."""

from __future__ import annotations

import pytest

from netmon.compliance.engine import evaluate_rule

from .conftest import one_config, verdict

# --- Huawei VRP unified AC: a VAP profile bound to a radio is an SSID in service ------------------
AC = (
    "!Software Version V200R007C10SPC300\n#\nsysname AC\n#\n{auth}"
    "interface GigabitEthernet0/0/1\n port link-type trunk\n port trunk allow-pass vlan 100\n#\n"
    "wlan\n security-profile name default\n security-profile name sec1\n{sec}"
    " ssid-profile name s1\n  ssid Staff\n vap-profile name default\n"
    " vap-profile name vap1\n  service-vlan vlan-id 100\n  ssid-profile s1\n{vap}"
    " ap-group name g1\n  radio 0\n{bind}#\nreturn\n"
)
PSK = "  security wpa2 psk pass-phrase %^%#0123456789abcdef%^%# aes\n"
BOUND = "   vap-profile vap1 wlan 1\n"


@pytest.mark.parametrize(
    ("auth", "sec", "vap", "bind", "want"),
    [
        ("", PSK, "  security-profile sec1\n", BOUND, "FAIL"),  # a shared key (main: N/A)
        ("", "", "", BOUND, "FAIL"),  # no security profile: 'default', open (main: N/A)
        ("", "  security wep share-key\n", "  security-profile sec1\n", BOUND, "FAIL"),  # WEP key (main: N/A)
        ("", PSK, "  security-profile sec1\n", "", "N/A"),  # bound to no radio: not in service
        # 802.1X of each station, by the security policy or by the authentication profile's access profile
        ("", "  security wpa2 dot1x aes\n", "  security-profile sec1\n", BOUND, "PASS"),
        (
            "authentication-profile name p1\n portal-access-profile portal1\n#\n",
            PSK,
            "  security-profile sec1\n  authentication-profile p1\n",
            BOUND,
            "PASS",
        ),
        # an authentication profile that is defined but bound to no VAP authenticates nobody
        (
            "authentication-profile name p1\n dot1x-access-profile d1\n#\n",
            PSK,
            "  security-profile sec1\n",
            BOUND,
            "FAIL",
        ),
    ],
    ids=["psk", "open-default", "wep", "unbound", "dot1x", "psk-with-portal", "profile-not-bound"],
)
def test_huawei_ac_ssids(rules, auth: str, sec: str, vap: str, bind: str, want: str) -> None:
    assert verdict(rules, "BD-07", AC.format(auth=auth, sec=sec, vap=vap, bind=bind), "huawei_vrp") == want


def test_huawei_ac_evidence_names_the_ssid_and_the_key(rules) -> None:
    text = AC.format(auth="", sec=PSK, vap="  security-profile sec1\n", bind=BOUND)
    out = evaluate_rule(rules["BD-07"], one_config(text, "huawei_vrp"))
    assert out.result == "FAIL"
    assert any(e.text == "vap-profile name vap1" and "shared key" in e.note for e in out.evidence)
    assert any(e.text == "vap-profile vap1 wlan 1" for e in out.evidence)
    assert any(e.text.startswith("security wpa2 psk pass-phrase") and e.note == "the shared key" for e in out.evidence)
    assert any("shared key" in n for n in out.notes)
    assert "0123456789abcdef" not in repr(out)  # the key never reaches evidence


# --- Ruijie RGOS AC: wlan-config N, its wlansec N, mapped into an AP group ------------------------
RG = (
    "version AC_RGOS 11.9(6)W2B1, Release(10162720)\n!\nwlan-config 1 Staff\n tunnel local\n!\n"
    "ap-group default\n{map}!\ninterface GigabitEthernet 0/8\n switchport mode trunk\n!\n{sec}"
    "line vty 0 4\n login local\n!\nend\n"
)
MAPPED = " interface-mapping 1 236 ap-wlan-id 1\n"
RG_PSK = "wlansec {n}\n security rsn enable\n security rsn ciphers aes enable\n security rsn akm psk enable\n!\n"


@pytest.mark.parametrize(
    ("m", "sec", "want"),
    [
        (MAPPED, RG_PSK.format(n=1), "FAIL"),  # main: N/A
        (MAPPED, "", "FAIL"),  # no wlansec: open (main: N/A)
        (MAPPED, RG_PSK.format(n=2), "FAIL"),  # another WLAN's security leaves WLAN 1 open
        ("", RG_PSK.format(n=1), "N/A"),  # mapped to no AP group: not in service
        (MAPPED, "wlansec 1\n security rsn enable\n security rsn akm 802.1x enable\n!\n", "PASS"),
        (MAPPED, "wlansec 1\n webauth\n!\n", "PASS"),
    ],
    ids=["psk", "open", "other-id", "unmapped", "dot1x", "webauth"],
)
def test_rgos_ac_ssids(rules, m: str, sec: str, want: str) -> None:
    assert verdict(rules, "BD-07", RG.format(map=m, sec=sec), "ruijie_rgos") == want


# --- Comware 7: the template's AKM mode, not its cipher suite, tells who is admitted --------------
CW7 = (
    "#\n version 7.1.064, Release 2509P56\n#\n sysname AP\n#\n"
    "wlan service-template Staff\n ssid Staff\n{sec} service-template enable\n#\n"
    "interface WLAN-Radio1/0/1\n service-template Staff\n#\nreturn\n"
)


@pytest.mark.parametrize(
    ("sec", "want"),
    [
        (" akm mode psk\n preshared-key pass-phrase simple 0123456789\n cipher-suite ccmp\n security-ie rsn\n", "FAIL"),
        (" akm mode dot1x\n cipher-suite ccmp\n security-ie rsn\n client-security authentication-mode dot1x\n", "PASS"),
        ("", "FAIL"),  # control: open
    ],
    ids=["psk", "dot1x", "open"],
)
def test_comware7_ssids(rules, sec: str, want: str) -> None:
    assert verdict(rules, "BD-07", CW7.format(sec=sec), "h3c_comware") == want


# --- Comware 7 AC: templates bound to the radios of its APs, not to WLAN-Radio interfaces ---------
CW7_AC = (
    "#\n version 7.1.064, Release 5447P03\n#\n sysname AC\n#\n"
    "wlan service-template Staff\n ssid Staff\n{sec}{on}#\n"
    "interface GigabitEthernet1/0/1\n port link-type trunk\n port trunk permit vlan all\n#\n"
    "wlan ap ap1 model WA6320\n serial-id 219801A28N819CE0002T\n radio 1\n  radio enable\n{bind}#\nreturn\n"
)
ON = " service-template enable\n"


@pytest.mark.parametrize(
    ("sec", "on", "bind", "want"),
    [
        (" akm mode psk\n preshared-key pass-phrase simple 0123456789\n", ON, "  service-template Staff\n", "FAIL"),
        ("", ON, "  service-template Staff vlan 10\n", "FAIL"),  # open (main: N/A)
        (" akm mode dot1x\n client-security authentication-mode dot1x\n", ON, "  service-template Staff\n", "PASS"),
        (" akm mode psk\n", "", "  service-template Staff\n", "N/A"),  # the template is not enabled
        (" akm mode psk\n", ON, "", "N/A"),  # bound to no AP radio
    ],
    ids=["psk", "open", "dot1x", "not-enabled", "unbound"],
)
def test_comware7_ac_ssids(rules, sec: str, on: str, bind: str, want: str) -> None:
    assert verdict(rules, "BD-07", CW7_AC.format(sec=sec, on=on, bind=bind), "h3c_comware") == want


# --- Comware 5 AC: the template binds a WLAN-ESS port, which holds the PSK or the 802.1X mode ------
CW5_AC = (
    "#\n version 5.20, Release 2509P49\n#\n sysname AC\n#\n"
    "interface WLAN-ESS1\n{port}#\n"
    "wlan service-template 1 crypto\n ssid Staff\n bind WLAN-ESS 1\n cipher-suite ccmp\n security-ie rsn\n"
    " service-template enable\n#\n"
    "wlan ap ap1 model WA2620E-AGN\n serial-id 210235A29G007C000020\n radio 2\n{bind}  radio enable\n#\nreturn\n"
)


@pytest.mark.parametrize(
    ("port", "bind", "want"),
    [
        (
            " port-security port-mode psk\n port-security preshared-key pass-phrase cipher $c$3$abc\n",
            "  service-template 1\n",
            "FAIL",
        ),
        (" port-security port-mode userlogin-secure-ext\n", "  service-template 1\n", "PASS"),  # 802.1X per station
        (" port-security port-mode psk\n", "", "N/A"),  # on no AP radio
    ],
    ids=["psk", "dot1x", "unbound"],
)
def test_comware5_ac_ssids(rules, port: str, bind: str, want: str) -> None:
    assert verdict(rules, "BD-07", CW5_AC.format(port=port, bind=bind), "h3c_comware") == want
