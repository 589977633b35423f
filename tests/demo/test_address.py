"""Where `braid demo` serves, and what it says when it cannot."""

import socket

import pytest
from django.core.management.base import CommandError

from braid.demo.address import Address, check_free, parse_address


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8011", Address("127.0.0.1", 8011)),
        ("127.0.0.1:8011", Address("127.0.0.1", 8011)),
        ("0.0.0.0:80", Address("0.0.0.0", 80)),
        ("localhost:9000", Address("localhost", 9000)),
        ("[::1]:8011", Address("[::1]", 8011)),
    ],
)
def test_it_reads_a_port_or_a_host_and_port(text, expected):
    assert parse_address(text) == expected


def test_an_address_prints_as_the_url_it_serves():
    assert parse_address("8011").url == "http://127.0.0.1:8011/"
    assert parse_address("[::1]:8011").url == "http://[::1]:8011/"


@pytest.mark.parametrize("text", ["", "abc", "127.0.0.1:", "0", "70000", "a b:80"])
def test_it_refuses_what_is_not_an_address(text):
    with pytest.raises(CommandError, match="not an address to serve on"):
        parse_address(text)


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    check_free(Address("127.0.0.1", port))


def test_a_busy_port_is_named_with_how_to_choose_another():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(CommandError) as refused:
            check_free(Address("127.0.0.1", port))

    message = str(refused.value)
    assert f"Port {port} on 127.0.0.1 is already in use" in message
    assert f"make demo PORT={port + 1}" in message
    assert f"braid demo --address 127.0.0.1:{port + 1}" in message


def test_an_address_of_another_machine_is_refused():
    with pytest.raises(CommandError, match="not an address of this machine"):
        check_free(Address("192.0.2.1", 8011))
