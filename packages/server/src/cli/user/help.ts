/** The `--help` texts of `marquee user` and of each of its commands. */

const WHERE = `Where the change is made:
  (default)              the data directory, while the server is stopped: --data-dir DIR, else
                         MARQUEE_DATA_DIR, .env or MARQUEE_CONFIG, as \`marquee start\` reads them
  --url URL              a running server's admin API (or MARQUEE_URL), signed in as an admin with
                         MARQUEE_TOKEN (an access token), or --username NAME with the password in
                         MARQUEE_PASSWORD, on stdin, or typed at the prompt
  A running server closes the sockets of a user it disables or removes; the data directory cannot,
  so it is refused while a server uses it (use --url then).`;

const EXIT = 'Exit status: 0 done, 1 failed, 2 wrong command line.';

export const USER_HELP = `Usage: marquee user <command> [options]

Manages the accounts that sign in to Marquee. Roles:
  admin      everything, users included
  operator   the signage fleet, media, playlists, commands, playback control, GPU model actions
  viewer     reads every dashboard
  device     a signage TV: only its own registration, playlists, media, screenshots and socket

Commands:
  add <name> --role ROLE [--password-stdin] [--json]   create an account
  list [--role ROLE] [--json]                           list accounts
  passwd <name> [--password-stdin]                      set a new password
  disable <name>                                        block sign-in, revoke its tokens
  enable <name>                                         allow sign-in again
  remove <name> [--yes]                                 delete an account

Without --password-stdin a password is generated and printed once. Disabling, removing or a new
password revokes the account's tokens and sessions at once.

${WHERE}

${EXIT}
\`marquee user <command> --help\` describes one command.
`;

const COMMANDS = {
  add: `Usage: marquee user add <name> --role ROLE [--password-stdin] [--json] [where]

Creates an account. ROLE is admin, operator, viewer or device (a signage TV).
  --password-stdin   read the password from stdin (its first line; prompted for without echo on a
                     terminal), so it is never on a command line or in shell history; without it a
                     password is generated and printed once
  --json             print the created user as JSON (with "password" when generated)`,
  list: `Usage: marquee user list [--role ROLE] [--json] [where]

Lists every account by id: name, role, whether it is disabled, when it was created.
  --role ROLE        only this role
  --json             print {count, results} as the admin API answers`,
  passwd: `Usage: marquee user passwd <name> [--password-stdin] [where]

Sets a new password; every token and session of the account is revoked at once.
  --password-stdin   read it from stdin (first line; prompted for without echo on a terminal);
                     without it a password is generated and printed once`,
  disable: `Usage: marquee user disable <name> [where]

Disables an account: it cannot sign in, and its tokens, sessions and sockets stop working at once.
The last active admin cannot be disabled.`,
  enable: `Usage: marquee user enable <name> [where]

Enables a disabled account again (it signs in anew).`,
  remove: `Usage: marquee user remove <name> [--yes] [where]

Deletes an account with its sessions and the display tokens it created. Asks first on a terminal;
elsewhere (a script, a pipe) it refuses without --yes. The last active admin cannot be removed.
  -y, --yes          do not ask`,
} as const;

/** The help of one command. */
export function commandHelp(name: keyof typeof COMMANDS): string {
  return `${COMMANDS[name]}\n\n${WHERE}\n\n${EXIT}\n`;
}
