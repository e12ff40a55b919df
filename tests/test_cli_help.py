"""Every command explains itself."""
from click.testing import CliRunner

from manage import cli


def test_every_command_has_help_text():
    runner = CliRunner()
    assert cli.help
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 10, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and command.help.split(".")[0][:30] in result.output
