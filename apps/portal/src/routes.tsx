import { Result, Spin } from 'antd';
import { lazy, ReactNode, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useAuth } from './api/auth';
import type { Role } from './api/types';

// Every console and public page is its own chunk, and so are the two layouts and the log-in form:
// the shell (router, Ant Design's provider, the session) downloads none of them up front.
const PublicLayout = lazy(() => import('./layout/PublicLayout').then((m) => ({ default: m.PublicLayout })));
const StaffLayout = lazy(() => import('./layout/StaffLayout').then((m) => ({ default: m.StaffLayout })));
const LoginPage = lazy(() => import('./pages/LoginPage').then((m) => ({ default: m.LoginPage })));
const Home = lazy(() => import('./pages/public/HomePage'));
const OpenData = lazy(() => import('./pages/public/OpenDataPage'));
const OpenDataset = lazy(() => import('./pages/public/DatasetPage'));
const Developer = lazy(() => import('./pages/public/DeveloperPage'));
const DataRequests = lazy(() => import('./pages/public/DataRequestsPage'));
const Showcase = lazy(() => import('./pages/public/ShowcasePage'));
const PublicStatistics = lazy(() => import('./pages/public/PublicStatisticsPage'));
const CatalogList = lazy(() => import('./pages/workbench/CatalogListPage'));
const EntryEdit = lazy(() => import('./pages/workbench/EntryEditPage'));
const ImportPage = lazy(() => import('./pages/workbench/ImportPage'));
const Datasets = lazy(() => import('./pages/workbench/DatasetsPage'));
const DatasetDetail = lazy(() => import('./pages/workbench/DatasetDetailPage'));
const CatalogSearch = lazy(() => import('./pages/workbench/CatalogSearchPage'));
const SharingPlaceholder = lazy(() => import('./pages/workbench/SharingPage'));
const Reviews = lazy(() => import('./pages/bureau/ReviewQueuePage'));
const ReviewDetail = lazy(() => import('./pages/bureau/ReviewDetailPage'));
const Conflicts = lazy(() => import('./pages/bureau/ConflictsPage'));
const Statistics = lazy(() => import('./pages/bureau/StatisticsPage'));
const Deadlines = lazy(() => import('./pages/bureau/DeadlinesPage'));
const DataElements = lazy(() => import('./pages/bureau/DataElementsPage'));
const Blacklist = lazy(() => import('./pages/bureau/BlacklistPage'));
const AuditRecords = lazy(() => import('./pages/audit/AuditRecordsPage'));
const Assessment = lazy(() => import('./pages/audit/AssessmentPage'));
const Alerts = lazy(() => import('./pages/audit/AlertsPage'));
const Grants = lazy(() => import('./pages/workbench/GrantsPage'));
const Needs = lazy(() => import('./pages/workbench/NeedsPage'));
const OpenInteractions = lazy(() => import('./pages/workbench/OpenInteractionsPage'));
const AuditTimeline = lazy(() => import('./pages/audit/AuditTimelinePage'));
const DatasetChain = lazy(() => import('./pages/audit/DatasetChainPage'));
const LogVerification = lazy(() => import('./pages/audit/LogVerificationPage'));
const Notifications = lazy(() => import('./pages/workbench/NotificationsPage'));
const Rectifications = lazy(() => import('./pages/workbench/RectificationsPage'));
const SecurityFindings = lazy(() => import('./pages/security/FindingsPage'));
const SecurityDataset = lazy(() => import('./pages/security/DatasetFindingsPage'));
const SandboxRefusals = lazy(() => import('./pages/security/SandboxRefusalsPage'));
const AggregationRefusals = lazy(() => import('./pages/security/AggregationRefusalsPage'));
const Operators = lazy(() => import('./pages/security/OperatorsPage'));

const Loading = () => (
  <div style={{ padding: 48, textAlign: 'center' }}>
    <Spin size="large" aria-label="正在加载页面" />
  </div>
);

/** Route guard: signed-in staff with one of `roles` (any staff when omitted). */
function RequireStaff({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { user, hasRole } = useAuth();
  const location = useLocation();
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (roles && !hasRole(...roles))
    return <Result status="403" title="无权访问" subTitle={`当前账号（${user.displayName}）没有访问此页面的权限。`} />;
  return <>{children}</>;
}

const page = (el: ReactNode, roles?: Role[]) => (
  <RequireStaff roles={roles}>
    <Suspense fallback={<Loading />}>{el}</Suspense>
  </RequireStaff>
);

const publicPage = (el: ReactNode) => <Suspense fallback={<Loading />}>{el}</Suspense>;

const DEPT: Role[] = ['dept_operator', 'dept_reviewer', 'data_admin'];
const EDIT: Role[] = ['dept_operator', 'data_admin'];
const ADMIN: Role[] = ['data_admin'];
// 数据安全: the officer, the bureau and auditors read the lists; departments see their own findings (and explain them).
const SECURITY: Role[] = ['security_officer', 'data_admin', 'auditor'];
const FINDINGS: Role[] = [...SECURITY, 'dept_operator', 'dept_reviewer'];

export function AppRoutes() {
  return (
    <Routes>
      <Route element={publicPage(<PublicLayout />)}>
        <Route index element={publicPage(<Home />)} />
        <Route path="data" element={publicPage(<OpenData />)} />
        <Route path="data/:id" element={publicPage(<OpenDataset />)} />
        <Route path="developer" element={publicPage(<Developer />)} />
        <Route path="requests" element={publicPage(<DataRequests />)} />
        <Route path="showcase" element={publicPage(<Showcase />)} />
        <Route path="statistics" element={publicPage(<PublicStatistics />)} />
        <Route path="login" element={publicPage(<LoginPage />)} />
      </Route>
      <Route element={publicPage(<StaffLayout />)}>
        <Route path="workbench/catalog" element={page(<CatalogList />, DEPT)} />
        <Route path="workbench/catalog/new" element={page(<EntryEdit />, EDIT)} />
        <Route path="workbench/catalog/:id" element={page(<EntryEdit />, DEPT)} />
        <Route path="workbench/import" element={page(<ImportPage />, EDIT)} />
        <Route path="workbench/datasets" element={page(<Datasets />, DEPT)} />
        <Route path="workbench/datasets/:id" element={page(<DatasetDetail />, DEPT)} />
        <Route path="workbench/sharing" element={page(<SharingPlaceholder />, DEPT)} />
        <Route path="search" element={page(<CatalogSearch />)} />
        <Route path="bureau/reviews" element={page(<Reviews />, ADMIN)} />
        <Route path="bureau/reviews/:id" element={page(<ReviewDetail />, ADMIN)} />
        <Route path="bureau/conflicts" element={page(<Conflicts />, ['data_admin', 'dept_operator', 'dept_reviewer'])} />
        <Route path="bureau/statistics" element={page(<Statistics />, ['data_admin', 'auditor'])} />
        <Route path="bureau/deadlines" element={page(<Deadlines />, DEPT)} />
        <Route path="bureau/data-elements" element={page(<DataElements />, DEPT)} />
        <Route path="bureau/blacklist" element={page(<Blacklist />, ADMIN)} />
        <Route path="audit/records" element={page(<AuditRecords />, ['auditor'])} />
        <Route path="audit/alerts" element={page(<Alerts />, ['auditor'])} />
        <Route path="audit/assessment" element={page(<Assessment />, ['auditor', 'data_admin'])} />
        <Route path="workbench/grants" element={page(<Grants />, DEPT)} />
        <Route path="workbench/needs" element={page(<Needs />, DEPT)} />
        <Route path="workbench/open" element={page(<OpenInteractions />, DEPT)} />
        <Route path="audit/timeline" element={page(<AuditTimeline />, ['auditor'])} />
        <Route path="audit/chain" element={page(<DatasetChain />, ['auditor'])} />
        <Route path="audit/log" element={page(<LogVerification />, ['auditor'])} />
        <Route path="workbench/notifications" element={page(<Notifications />, DEPT)} />
        <Route path="workbench/rectifications" element={page(<Rectifications />, DEPT)} />
        <Route path="security/findings" element={page(<SecurityFindings />, FINDINGS)} />
        <Route path="security/datasets/:id" element={page(<SecurityDataset />, FINDINGS)} />
        <Route path="security/sandbox" element={page(<SandboxRefusals />, SECURITY)} />
        <Route path="security/aggregation" element={page(<AggregationRefusals />, SECURITY)} />
        <Route path="security/operators" element={page(<Operators />, SECURITY)} />
      </Route>
      <Route element={publicPage(<PublicLayout />)}>
        <Route path="*" element={<Result status="404" title="页面不存在" subTitle="您访问的页面不存在或已移动。" />} />
      </Route>
    </Routes>
  );
}
