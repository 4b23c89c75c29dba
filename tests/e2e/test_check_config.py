"""`segd check-config` accepts valid files and points at the file, line and key of a bad one."""

import re

from conftest import REPO, config_text, run_segd

EX_CONFIG = 78


def line_of(text: str, fragment: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return number


def check(path):
    return run_segd("check-config", path, check=False)


def test_valid_configs_pass_check_config(write_config):
    # The test config binds absolute ipc paths (ipc:///tmp/...), the usual ZeroMQ form.
    for path in (write_config(), REPO / "deploy" / "segd.toml"):
        result = check(path)
        assert result.returncode == 0, result.stderr.decode()


def test_misspelt_feature_in_a_rule_names_file_line_key_and_suggests_the_right_name(tmp_path, write_config):
    text = config_text(directory=tmp_path, segments=[("buyer", "oders_7d >= 1"), ("big_spender", "spend_90d >= 500")])
    path = write_config(text=text)
    result = check(path)
    stderr = result.stderr.decode()

    assert result.returncode == EX_CONFIG, stderr
    line = line_of(text, 'rule = "oders_7d >= 1"')
    match = re.search(rf"{re.escape(str(path))}:{line}(?::(\d+))?: segment\[0\]\.rule: (.*)", stderr)
    assert match, stderr
    assert "orders_7d" in match.group(2), stderr
    if match.group(1):  # a column, when given, points at the misspelt name
        assert int(match.group(1)) == text.splitlines()[line - 1].index("oders_7d") + 1, stderr


def test_unknown_key_names_its_line(tmp_path, write_config):
    text = config_text(directory=tmp_path).replace("max_message_bytes = 65536", "max_message_bytes = 65536\nmax_mesage_bytes = 100")
    path = write_config(text=text)
    result = check(path)
    stderr = result.stderr.decode()
    assert result.returncode == EX_CONFIG, stderr
    assert re.search(rf"{re.escape(str(path))}:{line_of(text, 'max_mesage_bytes')}(:\d+)?: ingest\.max_mesage_bytes: ",
                     stderr), stderr


def test_toml_syntax_error_names_its_line(tmp_path, write_config):
    text = config_text(directory=tmp_path).replace('level = "info"', "level = ")
    path = write_config(text=text)
    result = check(path)
    stderr = result.stderr.decode()
    assert result.returncode == EX_CONFIG, stderr
    assert re.search(rf"{re.escape(str(path))}:{line_of(text, 'level = ')}(:\d+)?: ", stderr), stderr

