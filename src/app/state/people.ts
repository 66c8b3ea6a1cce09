/**
 * People are GitHub user ids; logins are for display. A login can be renamed (and then taken by
 * someone else), an id cannot, so two people are compared by id whenever both ids are known.
 * Records written before ids were kept compare by login.
 */
export interface Person {
  login: string;
  id?: number | undefined;
}

export function samePerson(a: Person, b: Person): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.login.toLowerCase() === b.login.toLowerCase();
}
