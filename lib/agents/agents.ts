/**
 * Agent provisioning: an agent is added as `pending-{userId}` while its
 * number is being provisioned, gets its real id on activation, and can be
 * suspended, activated again, and retired. The database holds the rules
 * (app.agents_guard(), 017_agents.sql); these functions state who acts and
 * why (every change is audited) and turn refusals into clear errors.
 */
import type { Db, Tx } from '../db/index.ts';
import { E164, E164_FORMAT } from '../ingest/telephony.ts';

export const AGENT_STATUSES = ['pending', 'active', 'suspended', 'retired'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface Agent {
  agent_id: string;
  org_id: string;
  user_id: string;
  phone_number: string;
  provider_number_id: string | null;
  deploy_request_id: string | null;
  nickname: string | null;
  status: AgentStatus;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
  provisioned_by: string | null;
  provider: string | null;
}

/** Who acts and why: the audit rows record both. */
export interface AgentActor {
  actor: string;
  note: string;
}

export class AgentError extends Error {
  override name = 'AgentError';
}

export const pendingId = (userId: string): string => `pending-${userId}`;

export interface NewAgent {
  userId: string;
  phoneNumber: string;
  /** @defaultValue `default` */
  orgId?: string | undefined;
  nickname?: string | undefined;
  provider?: string | undefined;
  providerNumberId?: string | undefined;
  deployRequestId?: string | undefined;
  /** The real id, when the provider has already given one: the agent starts active. @defaultValue pending */
  agentId?: string | undefined;
}

/** Adds an agent: `pending-{userId}`, or active under `agentId`. */
export async function addAgent(db: Db, a: NewAgent, who: AgentActor): Promise<Agent> {
  if (!a.userId.trim()) throw new AgentError('a user id is required');
  if (!E164.test(a.phoneNumber)) throw new AgentError(`"${a.phoneNumber}" is not an E.164 number: ${E164_FORMAT}`);
  if (a.agentId !== undefined) checkRealId(a.agentId);
  const id = a.agentId ?? pendingId(a.userId);
  return write(db, who, `agents add ${id}`, async (tx) => {
    const { rows: [row] } = await tx.query<Agent>(
      `insert into app.agents (agent_id, org_id, user_id, phone_number, nickname, provider, provider_number_id,
                               deploy_request_id, status, provisioned_by)
       values ($1, coalesce($2, 'default'), $3, $4, $5, $6, $7, $8, $9, $10) returning *`,
      [id, a.orgId ?? null, a.userId, a.phoneNumber, a.nickname ?? null, a.provider ?? null, a.providerNumberId ?? null,
        a.deployRequestId ?? null, a.agentId === undefined ? 'pending' : 'active', who.actor]);
    return row!;
  });
}

/**
 * Activates a pending agent under its real id (`realId`, required), or a
 * suspended one again (its id unchanged).
 */
export async function activateAgent(db: Db, agentId: string, who: AgentActor,
  opts: { realId?: string | undefined; providerNumberId?: string | undefined } = {}): Promise<Agent> {
  const current = await getAgent(db, agentId);
  if (current.status === 'active') throw new AgentError(`agent ${agentId} is already active`);
  if (current.status === 'retired') throw new AgentError(`agent ${agentId} is retired; add a new agent for ${current.phone_number}`);
  if (current.status === 'pending' && opts.realId === undefined) {
    throw new AgentError(`agent ${agentId} is pending: give the id the provider assigned with --id <agent id>`);
  }
  if (current.status === 'suspended' && opts.realId !== undefined && opts.realId !== agentId) {
    throw new AgentError(`agent ${agentId} is suspended: its id is fixed, --id cannot rename it`);
  }
  if (opts.realId !== undefined) checkRealId(opts.realId);
  return write(db, who, `agents activate ${agentId}`, async (tx) => {
    const { rows: [row] } = await tx.query<Agent>(
      `update app.agents set agent_id = coalesce($2, agent_id), status = 'active',
              provider_number_id = coalesce($3, provider_number_id)
        where agent_id = $1 and status = $4 returning *`,
      [agentId, opts.realId ?? null, opts.providerNumberId ?? null, current.status]);
    if (!row) throw new AgentError(`agent ${agentId} changed while activating it; look again with \`ballast agents list\``);
    return row;
  });
}

/** Suspends an active agent: its number stays reserved; its new events are quarantined (agent_suspended). */
export async function suspendAgent(db: Db, agentId: string, who: AgentActor): Promise<Agent> {
  return transition(db, agentId, who, 'suspended', ['active']);
}

/**
 * Retires an active or suspended agent (final; its number is released), or
 * cancels a pending one: a pending agent owns nothing, so it is deleted, with
 * the note as the delete's reason. Returns the agent as it was last.
 */
export async function retireAgent(db: Db, agentId: string, who: AgentActor): Promise<Agent> {
  const current = await getAgent(db, agentId);
  if (current.status !== 'pending') return transition(db, agentId, who, 'retired', ['active', 'suspended']);
  return write(db, who, `agents retire ${agentId}`, async (tx) => {
    const { rows: [row] } = await tx.query<Agent>(`delete from app.agents where agent_id = $1 and status = 'pending' returning *`, [agentId]);
    if (!row) throw new AgentError(`agent ${agentId} changed while retiring it; look again with \`ballast agents list\``);
    return { ...row, status: 'retired', is_active: false };
  });
}

export async function getAgent(db: Db, agentId: string): Promise<Agent> {
  const { rows: [row] } = await db.query<Agent>('select * from app.agents where agent_id = $1', [agentId]);
  if (!row) throw new AgentError(`no agent ${agentId} (see \`ballast agents list\`)`);
  return row;
}

export async function listAgents(db: Db, opts: { status?: AgentStatus | undefined } = {}): Promise<Agent[]> {
  if (opts.status !== undefined && !(AGENT_STATUSES as readonly string[]).includes(opts.status)) {
    throw new AgentError(`--status must be one of ${AGENT_STATUSES.join(', ')}, got "${opts.status}"`);
  }
  const { rows } = await db.query<Agent>(
    'select * from app.agents where $1::text is null or status = $1 order by org_id, agent_id', [opts.status ?? null]);
  return rows;
}

async function transition(db: Db, agentId: string, who: AgentActor, to: AgentStatus, from: AgentStatus[]): Promise<Agent> {
  const current = await getAgent(db, agentId);
  if (current.status === to) throw new AgentError(`agent ${agentId} is already ${to}`);
  if (!from.includes(current.status)) throw new AgentError(`agent ${agentId} is ${current.status}; only ${from.join(' or ')} agents can become ${to}`);
  return write(db, who, `agents ${to} ${agentId}`, async (tx) => {
    const { rows: [row] } = await tx.query<Agent>(
      'update app.agents set status = $2 where agent_id = $1 and status = any($3) returning *', [agentId, to, from]);
    if (!row) throw new AgentError(`agent ${agentId} changed meanwhile; look again with \`ballast agents list\``);
    return row;
  });
}

function checkRealId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/.test(id) || id.startsWith('pending-')) {
    throw new AgentError(`"${id}" is not an agent id: letters, digits, _ . : -, not starting with pending-`);
  }
}

/** One audited transaction; database refusals become AgentErrors that say what to do. */
async function write<T>(db: Db, who: AgentActor, what: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!who.note.trim()) throw new AgentError(`${what}: a note saying why is required (it is recorded in the audit ledger)`);
  try {
    return await db.atomicWrite(fn, { actor: who.actor, reason: who.note });
  } catch (e) {
    const err = e as { code?: string; constraint?: string; message?: string };
    if (err.code === '23505' && err.constraint === 'agents_number_key') {
      throw new AgentError(`${what}: the number is already held by an agent that is not retired (see \`ballast agents list\`)`);
    }
    if (err.code === '23505' && err.constraint === 'agents_pkey') {
      throw new AgentError(`${what}: that agent id exists already (a user has one pending agent at a time; see \`ballast agents list\`)`);
    }
    if (err.code === '23514') throw new AgentError(`${what}: ${err.message}`);
    if (err.code === '23503') throw new AgentError(`${what}: interactions refer to this agent id, so it cannot change (${err.message})`);
    throw e;
  }
}
