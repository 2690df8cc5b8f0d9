/** Profiles (people who annotate; several per library). */
import { AppError } from '../../src-shared/ipc/envelope';
import { ProfileSchema, type Profile } from '../../src-shared/domain/track';
import type { WritableDB } from './types';

interface ProfileRow {
  id: number;
  name: string;
  created_at: string;
  has_personal_model: number;
}

const COLUMNS = `p.id, p.name, p.created_at, EXISTS (SELECT 1 FROM personal_models pm WHERE pm.profile_id = p.id) AS has_personal_model`;

export class ProfilesRepo {
  readonly #stmts;

  constructor(db: WritableDB) {
    this.#stmts = {
      list: db.prepare(`SELECT ${COLUMNS} FROM profiles p ORDER BY p.name COLLATE NOCASE, p.id`),
      get: db.prepare(`SELECT ${COLUMNS} FROM profiles p WHERE p.id = ?`),
      byName: db.prepare(`SELECT id FROM profiles WHERE name = ?`),
      insert: db.prepare(`INSERT INTO profiles (name) VALUES (?)`),
    };
  }

  list(): Profile[] {
    return (this.#stmts.list.all() as ProfileRow[]).map(toProfile);
  }

  get(id: number): Profile | null {
    const row = this.#stmts.get.get(id) as ProfileRow | undefined;
    return row ? toProfile(row) : null;
  }

  /**
   * @throws AppError CONFLICT when a profile with that name (case-insensitive) exists
   */
  create(name: string): Profile {
    const trimmed = name.trim();
    if (this.#stmts.byName.get(trimmed)) {
      throw new AppError('CONFLICT', `A profile named ${JSON.stringify(trimmed)} already exists; choose another name`);
    }
    const id = Number(this.#stmts.insert.run(trimmed).lastInsertRowid);
    return this.get(id)!;
  }
}

function toProfile(row: ProfileRow): Profile {
  return ProfileSchema.parse({ id: row.id, name: row.name, createdAt: row.created_at, hasPersonalModel: row.has_personal_model === 1 });
}
