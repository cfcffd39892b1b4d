import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, setUnauthenticatedHandler, storedSession, storeSession } from './client';
import type { Role, Session, StaffUser } from './types';

interface AuthState {
  user: StaffUser | undefined;
  login(username: string, password: string): Promise<StaffUser>;
  logout(): void;
  hasRole(...roles: Role[]): boolean;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

function freshSession(): Session | undefined {
  const s = storedSession<Session>();
  return s && s.expiresAt > Date.now() ? s : undefined;
}

/** Staff session kept in sessionStorage (closing the tab ends it); a 401 from any call logs out. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(freshSession);

  const logout = useCallback(() => {
    storeSession(undefined);
    setSession(undefined);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(logout);
    return () => setUnauthenticatedHandler(undefined);
  }, [logout]);

  const login = useCallback(async (username: string, password: string) => {
    const res = await api<{ accessToken: string; expiresIn: number; user: StaffUser }>('/api/catalog/auth/login', {
      body: { username, password },
      anonymous: true,
    });
    const next: Session = { accessToken: res.accessToken, expiresAt: Date.now() + res.expiresIn * 1000, user: res.user };
    storeSession(next);
    setSession(next);
    return res.user;
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      user: session?.user,
      login,
      logout,
      hasRole: (...roles) => !!session && roles.some((r) => session.user.roles.includes(r)),
    }),
    [session, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

export const ROLE_LABELS: Record<Role, string> = {
  dept_operator: '部门经办人',
  dept_reviewer: '部门审核人',
  data_admin: '数据局管理员',
  auditor: '审计员',
  security_officer: '数据安全官',
};

/** Where a role lands after log-in. */
export function homeOf(user: StaffUser): string {
  if (user.roles.includes('data_admin')) return '/bureau/reviews';
  if (user.roles.includes('auditor')) return '/audit/records';
  if (user.roles.includes('security_officer')) return '/security/findings';
  return '/workbench/catalog';
}
