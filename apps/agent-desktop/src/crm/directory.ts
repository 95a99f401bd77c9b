/** The sample CRM's customer directory: who calls, found by number or by attached customer id. */
export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly phone: string;
  readonly email: string;
  readonly company: string;
  readonly tier: "Gold" | "Silver" | "Bronze";
  readonly openCases: readonly string[];
  readonly note: string;
}

export const CUSTOMERS: readonly Customer[] = [
  { id: "C-1001", name: "Ada Lovelace", phone: "+15550100", email: "ada@example.com", company: "Analytical Engines Ltd", tier: "Gold", openCases: ["Invoice 4471 disputed"], note: "Prefers email follow-up." },
  { id: "C-1002", name: "Grace Hopper", phone: "+15550123", email: "grace@example.com", company: "COBOL Consulting", tier: "Silver", openCases: [], note: "Renewal due next month." },
  { id: "C-1003", name: "Alan Turing", phone: "+15550142", email: "alan@example.com", company: "Bletchley Logistics", tier: "Bronze", openCases: ["Router replacement", "Billing address change"], note: "Calls usually about deliveries." },
  { id: "C-1004", name: "Katherine Johnson", phone: "+15550177", email: "katherine@example.com", company: "Orbital Mechanics Inc", tier: "Gold", openCases: [], note: "VIP: offer a callback if the queue is long." },
];

/** Digits only, so "+1 (555) 010-0" and "+15550100" compare equal. */
const digits = (value: string): string => value.replace(/\D/g, "");

export function findCustomer(ani: string | undefined, data: Readonly<Record<string, string>> = {}): Customer | undefined {
  const byId = data.customerId ? CUSTOMERS.find((c) => c.id === data.customerId) : undefined;
  if (byId) return byId;
  if (!ani) return undefined;
  const wanted = digits(ani);
  return wanted ? CUSTOMERS.find((c) => digits(c.phone) === wanted) : undefined;
}
