import { ApiFault, badRequest, conflict, forbidden, notFound } from '../core/faults.ts';
import { type Caller, type ImageRecord, MEMBER_STATUSES, type Member, type MemberStatus, isOwner, memberOf } from './model.ts';

// Image sharing as Glance defines it (glance/api/v2/image_members.py and default policy):
// only `shared` images have members; the owner adds and removes them; each member project
// accepts or rejects for itself. Pure: the new member list, or a fault.

const onlyShared = (r: ImageRecord) => {
  if (r.visibility !== 'shared') throw forbidden('Only shared images have members.');
};

export function membersVisibleTo(r: ImageRecord, c: Caller): Member[] {
  onlyShared(r);
  if (c.isAdmin || isOwner(r, c)) return r.members;
  const m = memberOf(r, c);
  return m ? [m] : [];
}

export function findMember(r: ImageRecord, c: Caller, memberId: string): Member {
  const m = membersVisibleTo(r, c).find((x) => x.memberId === memberId);
  if (!m) throw notFound(`${memberId} is not a member of image ${r.id}`);
  return m;
}

export function addMember(r: ImageRecord, c: Caller, memberId: string, now: string): Member[] {
  if (!c.isAdmin && !isOwner(r, c)) throw forbidden('You are not permitted to create image members for the image.');
  onlyShared(r);
  if (r.members.some((m) => m.memberId === memberId)) throw conflict(`Member ${memberId} already associated with image ${r.id}`);
  if (r.members.length >= 128) throw new ApiFault(413, 'The limit (128) of image members has been exceeded.');
  return [...r.members, { memberId, status: 'pending', createdAt: now, updatedAt: now }];
}

export function updateMember(r: ImageRecord, c: Caller, memberId: string, status: string, now: string): Member[] {
  if (!(MEMBER_STATUSES as readonly string[]).includes(status)) throw badRequest(`Invalid status: ${status}`);
  const m = r.members.find((x) => x.memberId === memberId);
  if (!m || !(c.isAdmin || isOwner(r, c) || c.projectId === memberId)) throw notFound(`${memberId} is not a member of image ${r.id}`);
  onlyShared(r);
  if (c.projectId !== memberId && !c.isAdmin) throw forbidden("You are not permitted to modify 'status' on this image member.");
  return r.members.map((x) => (x.memberId === memberId ? { ...x, status: status as MemberStatus, updatedAt: now } : x));
}

export function removeMember(r: ImageRecord, c: Caller, memberId: string): Member[] {
  const visible = c.isAdmin || isOwner(r, c) || c.projectId === memberId;
  if (!visible || !r.members.some((x) => x.memberId === memberId)) throw notFound(`${memberId} is not a member of image ${r.id}`);
  if (!c.isAdmin && !isOwner(r, c)) throw forbidden('You are not permitted to delete image members for the image.');
  onlyShared(r);
  return r.members.filter((x) => x.memberId !== memberId);
}
