import type { Preset } from './config-types.js';

/** What differs between the presets' example configs. */
interface TemplateFacts {
  readonly app: string;
  readonly root: string;
  readonly finds: readonly string[];
  readonly extra: string;
}

const FACTS: Record<Preset, TemplateFacts> = {
  decidim: {
    app: 'portal',
    root: '/srv/decidim',
    finds: [
      'PostgreSQL from DATABASE_URL (environment or .env) or config/database.yml',
      'Active Storage files in storage/ and old uploads in public/uploads/',
      'SECRET_KEY_BASE (environment, .env), config/master.key, config/credentials.yml.enc',
    ],
    extra: `      # - postgres: { url: "postgres://decidim@localhost/decidim_production", password_file: /etc/lifeboat/pg.pass }
      # - secrets: { files: [/srv/decidim/config/secrets.yml] }`,
  },
  mautic: {
    app: 'mautic',
    root: '/var/www/mautic',
    finds: [
      'MySQL/MariaDB from the db_* parameters of config/local.php (or app/config/local.php)',
      'secret_key of local.php, the whole config directory',
      'media/ (images and files)',
    ],
    extra: `      # - mysql: { host: 127.0.0.1, user: mautic, database: mautic, password_file: /etc/lifeboat/mautic-db.pass }`,
  },
  rails: {
    app: 'shop',
    root: '/srv/shop',
    finds: [
      'PostgreSQL or MySQL from DATABASE_URL or config/database.yml (production)',
      'storage/ and public/uploads/',
      'SECRET_KEY_BASE, config/master.key, config/credentials.yml.enc',
    ],
    extra: `      # - files: { paths: [public/system], exclude: ["*.tmp"] }`,
  },
  laravel: {
    app: 'books',
    root: '/var/www/bookstack',
    finds: ['APP_KEY and the whole .env', 'the database named by DB_CONNECTION, DB_HOST, DB_DATABASE... of .env', 'storage/ (uploads, without cache and logs)'],
    extra: `      # - files: { paths: [public/uploads] }`,
  },
  nextcloud: {
    app: 'cloud',
    root: '/var/www/nextcloud',
    finds: ['config/config.php (secret, passwordsalt, instanceid)', 'the data directory (datadirectory of config.php)', 'the database (dbtype, dbhost, dbname, dbuser, dbpassword of config.php)'],
    extra: `      # - files: { paths: [/var/www/nextcloud/apps-extra] }`,
  },
  generic: {
    app: 'website',
    root: '/srv/website',
    finds: ['nothing by itself: list every source below'],
    extra: `      - files: { paths: [/srv/website/public], exclude: ["*.tmp", "cache/"], one_file_system: true }
      - postgres: { host: 127.0.0.1, port: 5432, user: website, database: website, password_env: WEBSITE_DB_PASSWORD, globals: true }
      # - mysql: { socket: /run/mysqld/mysqld.sock, user: root, database: all }
      - secrets:
          files: [/srv/website/.env]
          values:
            - { name: SECRET_KEY_BASE, from: /srv/website/.env, key: SECRET_KEY_BASE }
          # process_env: [{ pid_file: /run/website.pid, names: [SECRET_KEY_BASE] }]`,
  },
};

/** A commented example `lifeboat.yaml` for one preset: valid as written once its paths exist. */
export function configTemplate(preset: Preset): string {
  const f = FACTS[preset];
  const rootLine = preset === 'generic' ? `    # root: ${f.root}` : `    root: ${f.root}`;
  const sourcesHead = preset === 'generic' ? '    sources:' : '    # sources:                   # optional: adds to or overrides what the preset finds';
  return `# lifeboat.yaml: what to back up (apps) and where to (locations).
# Check it with "lifeboat config check"; create the repositories with "lifeboat init --app ${f.app}".
# Passwords are never written here: name a file (password_file) or an environment
# variable (password_env), or write \${VAR} anywhere a value comes from the environment.

locations:
  local:
    url: /var/backups/lifeboat/${f.app}   # a local directory
    password_file: /etc/lifeboat/${f.app}.pass   # keep a copy of this password away from this machine
  # offsite:                   # a second, independent place: the guard wants at least two
  #   url: sftp:backup@backup.example.org:/srv/lifeboat/${f.app}   # or s3:https://s3.example.org/bucket/${f.app}
  #   password_file: /etc/lifeboat/${f.app}.pass                   # the same password: every location mirrors one repository

apps:
  ${f.app}:
    preset: ${preset}
${rootLine}
    # The preset finds, from the app root and its environment:
${f.finds.map((x) => `    #   - ${x}`).join('\n')}
${sourcesHead}
${f.extra}
    locations: [local]          # [local, offsite] once the second location is set up
    # keep: { daily: 7, weekly: 4, monthly: 6 }
    # guard: { max_age_hours: 24, min_locations: 2, drill_max_age_days: 7 }
`;
}
