import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, AutoComplete, Breadcrumb, Button, Card, Checkbox, Col, Descriptions, Divider, Form, Input, InputNumber, Modal, Row, Select, Space, Tag, Typography } from 'antd';
import type { FormItemProps } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import type { CatalogMetadata, ComplianceFinding, Domain, EntryView, InfoSystem, ReviewComments } from '../../api/types';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import {
  DATA_DOMAINS,
  DATA_ITEM_TYPES,
  ENTRY_STATUS,
  FORMAT_CLASSES,
  FORMAT_TYPES,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
  options,
  platformMethodTypesFor,
} from '../../standard';
import { FindingsPanel, ReviewCommentsAlert } from './FindingsPanel';

const MASKS = [
  { value: 'chineseName', label: '中文姓名' },
  { value: 'idNumber', label: '身份证号' },
  { value: 'mobile', label: '手机号' },
  { value: 'fixedPhone', label: '固定电话' },
  { value: 'address', label: '地址' },
  { value: 'bankCard', label: '银行卡号' },
  { value: 'email', label: '电子邮箱' },
  { value: 'plate', label: '车牌号' },
  { value: 'ipv4', label: 'IP 地址' },
];

const EMPTY: CatalogMetadata = {
  classification: { classCode: undefined, itemCode: undefined, categoryCode: '' },
  items: [{ name: '', dataType: 'C', length: null }],
  share: { methodClass: 'PLATFORM' },
  open: {},
  relatedResourceCodes: [],
  tags: [],
};

/** Drops empty strings so the server sees "absent", not "blank", and trims free text. */
function clean(m: CatalogMetadata): CatalogMetadata {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const w = walk(x);
        if (w !== '' && w !== undefined) out[k] = w;
      }
      return out;
    }
    return typeof v === 'string' ? v.trim() : v;
  };
  return walk(m) as CatalogMetadata;
}

/** Path of a form field as the compliance check names it: ['items', 2, 'length'] → items[2].length */
const pathOf = (name: (string | number)[]) => name.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');

/**
 * 目录编制: the metadata form with every core element of the guideline, enumerations as drop-downs,
 * the compliance findings attached to their fields and listed in a panel, and the review comments
 * of a returned entry beside the fields they concern.
 */
export default function EntryEditPage() {
  const { id } = useParams();
  const isNew = !id;
  const { data, error, loading, reload, setData } = useAsync<EntryView | null>((signal) => (id ? api<EntryView>(`/api/catalog/entries/${id}`, { signal }) : Promise.resolve(null)), [id]);

  return (
    <div>
      <Breadcrumb items={[{ title: <Link to="/workbench/catalog">我的目录</Link> }, { title: isNew ? '新建目录' : (data?.working.metadata.name ?? '目录详情') }]} style={{ marginBottom: 12 }} />
      <PageState loading={loading} error={error} data={data} onRetry={reload}>
        {(entry) => <EntryForm key={`${entry?.id}:${entry?.latestVersion}:${entry?.working.state}`} entry={entry} onSaved={setData} />}
      </PageState>
    </div>
  );
}

function EntryForm({ entry, onSaved }: { entry: EntryView | null; onSaved: (e: EntryView) => void }) {
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const { hasRole } = useAuth();
  const [form] = Form.useForm<CatalogMetadata>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [changeOpen, setChangeOpen] = useState(false);
  const systems = useAsync((signal) => api<InfoSystem[]>('/api/catalog/systems', { signal, query: entry ? { deptId: entry.deptId } : undefined }), [entry?.deptId]);
  const domains = useAsync((signal) => api<Domain[]>('/api/catalog/domains', { signal }).catch(() => DATA_DOMAINS as unknown as Domain[]), []);

  const working = entry?.working;
  const editable = !entry || (hasRole('dept_operator', 'data_admin') && (working?.state === 'draft' || working?.state === 'returned'));
  const findings: ComplianceFinding[] = working?.findings ?? [];
  const comments: ReviewComments | null = working?.state === 'returned' ? working.reviewComments : null;

  const byField = useMemo(() => {
    const m = new Map<string, { errors: string[]; warnings: string[] }>();
    for (const f of findings) {
      const slot = m.get(f.field) ?? { errors: [], warnings: [] };
      (f.severity === 'error' ? slot.errors : slot.warnings).push(f.zh);
      m.set(f.field, slot);
    }
    for (const [path, text] of Object.entries(comments?.fields ?? {})) {
      const slot = m.get(path) ?? { errors: [], warnings: [] };
      slot.warnings.push(`审核意见：${text}`);
      m.set(path, slot);
    }
    return m;
  }, [findings, comments]);

  /** Status and help text of a field from the last save's findings (cleared once the user edits it). */
  const fi = (name: (string | number)[]): Partial<FormItemProps> => {
    const slot = byField.get(pathOf(name));
    if (!slot) return {};
    return {
      validateStatus: slot.errors.length ? 'error' : 'warning',
      help: [...slot.errors, ...slot.warnings].join('；'),
    };
  };

  const formatClass = Form.useWatch(['format', 'classCode'], form);
  const classCode = Form.useWatch(['classification', 'classCode'], form);
  const shareType = Form.useWatch(['share', 'type'], form);
  const methodClass = Form.useWatch(['share', 'methodClass'], form);
  const openType = Form.useWatch(['open', 'type'], form);

  const save = async (): Promise<EntryView | undefined> => {
    const metadata = clean(form.getFieldsValue(true));
    setError(undefined);
    try {
      const saved = entry
        ? await api<EntryView>(`/api/catalog/entries/${entry.id}`, { method: 'PUT', body: { metadata } })
        : await api<EntryView>('/api/catalog/entries', { body: { metadata } });
      return saved;
    } catch (e) {
      setError(e);
      return undefined;
    }
  };

  const onSave = async () => {
    setBusy('save');
    const saved = await save();
    setBusy(undefined);
    if (!saved) return;
    const errors = saved.working.findings.filter((f) => f.severity === 'error').length;
    message.success(errors ? `已保存草稿，合规自检有 ${errors} 项未通过` : '已保存草稿，合规自检通过');
    if (!entry) navigate(`/workbench/catalog/${saved.id}`, { replace: true });
    else onSaved(saved);
  };

  const onSubmit = async () => {
    setBusy('submit');
    try {
      const saved = entry && !form.isFieldsTouched() ? entry : await save();
      if (!saved) return;
      const errors = saved.working.findings.filter((f) => f.severity === 'error');
      if (errors.length) {
        if (!entry) navigate(`/workbench/catalog/${saved.id}`, { replace: true });
        else onSaved(saved);
        modal.error({ title: '合规自检未通过，不能提交', content: `请先修正 ${errors.length} 项问题（见页面右侧“合规自检”）。` });
        return;
      }
      const submitted = await api<EntryView>(`/api/catalog/entries/${saved.id}/submit`, { method: 'POST' });
      message.success('已提交数据局审核');
      if (!entry) navigate(`/workbench/catalog/${saved.id}`, { replace: true });
      else onSaved(submitted);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const startChange = async (reason: string) => {
    if (!entry) return;
    try {
      const changed = await api<EntryView>(`/api/catalog/entries/${entry.id}/versions`, { body: { reason } });
      setChangeOpen(false);
      message.success(`已创建第 ${changed.latestVersion} 版，修改后重新提交审核`);
      onSaved(changed);
    } catch (e) {
      setError(e);
      setChangeOpen(false);
    }
  };

  const itemOptions = classCode ? options(RESOURCE_ITEMS[classCode as '1' | '2' | '3'] ?? [], true) : [];
  const methodTypes = PLATFORM_METHOD_TYPES.filter((t) => !formatClass || platformMethodTypesFor(formatClass).includes(t.code));
  const status = entry ? ENTRY_STATUS[entry.status] : undefined;

  return (
    <Row gutter={16}>
      <Col xs={24} xl={16}>
        <Card
          title={
            <Space wrap>
              <span className="page-title" style={{ margin: 0 }}>
                {entry ? working?.metadata.name || '未命名目录' : '新建目录'}
              </span>
              {status && <Tag color={status.color}>{status.label}</Tag>}
              {entry?.changeStatus && <Tag color="purple">变更中（第 {entry.latestVersion} 版）</Tag>}
              {entry?.resourceCode && <Tag>资源代码 {entry.resourceCode}</Tag>}
            </Space>
          }
        >
          {comments && (
            <div style={{ marginBottom: 16 }}>
              <ReviewCommentsAlert comments={comments} />
            </div>
          )}
          {error ? (
            <div style={{ marginBottom: 16 }}>
              <ProblemAlert error={error} title="操作失败" />
            </div>
          ) : null}
          <Form form={form} layout="vertical" initialValues={working?.metadata ?? EMPTY} disabled={!editable} aria-label="目录元数据表单" scrollToFirstError>
            <Divider titlePlacement="start">信息资源分类</Divider>
            <Row gutter={12}>
              <Col xs={24} md={6}>
                <Form.Item label="类" name={['classification', 'classCode']} {...fi(['classification', 'classCode'])} required>
                  <Select options={options(RESOURCE_CLASSES, true)} placeholder="请选择" onChange={() => form.setFieldValue(['classification', 'itemCode'], undefined)} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="项" name={['classification', 'itemCode']} {...fi(['classification', 'itemCode'])} required tooltip="主题类可填写指南所列之外的两位项代码">
                  <Select options={itemOptions} placeholder={classCode ? '请选择' : '先选择类'} showSearch={{ optionFilterProp: 'label' }} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item label="目" name={['classification', 'categoryCode']} {...fi(['classification', 'categoryCode'])} required tooltip="三位数字">
                  <Input maxLength={3} placeholder="如 001" />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item label="细目" name={['classification', 'subCategoryCode']} {...fi(['classification', 'subCategoryCode'])}>
                  <Input maxLength={3} placeholder="可选" />
                </Form.Item>
              </Col>
            </Row>
            <Divider titlePlacement="start">基本信息</Divider>
            <Form.Item label="信息资源名称" name="name" {...fi(['name'])} required>
              <Input maxLength={200} showCount />
            </Form.Item>
            <Form.Item label="信息资源摘要" name="abstract" {...fi(['abstract'])} required>
              <Input.TextArea rows={3} maxLength={2000} showCount />
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item label="格式分类" name={['format', 'classCode']} {...fi(['format', 'classCode'])} required>
                  <Select options={options(FORMAT_CLASSES)} placeholder="请选择" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="格式类型" name={['format', 'type']} {...fi(['format', 'type'])} required tooltip="数据库类填写数据库产品名称，如 PostgreSQL">
                  <AutoComplete options={(FORMAT_TYPES[formatClass as '1' | '2'] ?? []).map((t) => ({ value: t }))} placeholder={formatClass === '3' ? '如 PostgreSQL' : '如 xlsx'} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="更新周期" name="updateCycle" {...fi(['updateCycle'])} required>
                  <Select options={options(UPDATE_CYCLES)} placeholder="请选择" />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item label="数据领域" name="domainCode" {...fi(['domainCode'])} required>
                  <Select options={(domains.data ?? []).map((d) => ({ value: d.code, label: d.label }))} loading={domains.loading} placeholder="请选择" showSearch={{ optionFilterProp: 'label' }} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="来源信息系统" name="systemId" {...fi(['systemId'])} required>
                  <Select
                    options={(systems.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                    loading={systems.loading}
                    placeholder="请选择本部门已登记的系统"
                    notFoundContent="本部门尚未登记信息系统"
                    popupRender={(menu) => (
                      <>
                        {menu}
                        {editable && <NewSystem onCreated={(s) => (systems.setData([...(systems.data ?? []), s]), form.setFieldValue('systemId', s.id))} />}
                      </>
                    )}
                  />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item label="数据分级" name="securityGrade" {...fi(['securityGrade'])} required>
                  <Select options={SECURITY_GRADES.map((g) => ({ value: g.code, label: `${g.code} ${g.label}` }))} placeholder="L1–L4" />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item label="国家数据分级" name="nationalLevel" {...fi(['nationalLevel'])} tooltip="GB/T 43697：经评估高于分级下限时填写">
                  <Select options={options(NATIONAL_DATA_LEVELS)} allowClear placeholder="按分级" />
                </Form.Item>
              </Col>
            </Row>

            <Divider titlePlacement="start">信息项</Divider>
            <ItemsTable fi={fi} />

            <Divider titlePlacement="start">共享属性</Divider>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item label="共享类型" name={['share', 'type']} {...fi(['share', 'type'])} required>
                  <Select options={options(SHARE_TYPES)} placeholder="请选择" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="共享方式分类" name={['share', 'methodClass']} {...fi(['share', 'methodClass'])} required>
                  <Select options={options(SHARE_METHOD_CLASSES)} placeholder="请选择" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="共享方式类型" name={['share', 'methodType']} {...fi(['share', 'methodType'])} required={methodClass === 'PLATFORM'} tooltip="文件类→文件；数据库类→数据库或接口；服务接口→接口">
                  <Select options={options(methodTypes)} placeholder="请选择" disabled={!editable || methodClass !== 'PLATFORM'} allowClear />
                </Form.Item>
              </Col>
            </Row>
            {shareType === 'CONDITIONAL' && (
              <Form.Item label="共享条件" name={['share', 'condition']} {...fi(['share', 'condition'])} required>
                <Input.TextArea rows={2} placeholder="写明可共享的部门范围、用途或前提" />
              </Form.Item>
            )}
            {shareType === 'NOT_SHARED' && (
              <Form.Item label="不予共享依据" name={['share', 'basis']} {...fi(['share', 'basis'])} required>
                <Input.TextArea rows={2} placeholder="须引用法律、行政法规或党中央、国务院政策" />
              </Form.Item>
            )}
            <Divider titlePlacement="start">开放属性</Divider>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item label="开放类型" name={['open', 'type']} {...fi(['open', 'type'])} required>
                  <Select options={options(OPEN_TYPES)} placeholder="请选择" />
                </Form.Item>
              </Col>
              <Col xs={24} md={16}>
                {openType === 'CONDITIONAL' && (
                  <Form.Item label="开放条件" name={['open', 'condition']} {...fi(['open', 'condition'])} required>
                    <Input placeholder="申请条件，如：经审核的科研机构" />
                  </Form.Item>
                )}
                {openType === 'NOT_OPEN' && (
                  <Form.Item label="不予开放依据及理由" name={['open', 'basis']} {...fi(['open', 'basis'])} required>
                    <Input placeholder="如：涉及个人隐私" />
                  </Form.Item>
                )}
              </Col>
            </Row>
            <Divider titlePlacement="start">其他</Divider>
            <Row gutter={12}>
              <Col xs={24} md={8}>
                <Form.Item label="发布日期" name="publishDate" {...fi(['publishDate'])} tooltip="审核通过时自动填写">
                  <Input placeholder="CCYY-MM-DD" disabled />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="关联资源代码" name="relatedResourceCodes" {...fi(['relatedResourceCodes'])}>
                  <Select mode="tags" placeholder="输入代码后回车，如 201001/000001" tokenSeparators={[',', '，', ' ']} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="标签" name="tags" {...fi(['tags'])}>
                  <Select mode="tags" placeholder="输入后回车" tokenSeparators={[',', '，']} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
          <Space style={{ marginTop: 8 }} wrap>
            {editable && (
              <>
                <Button onClick={onSave} loading={busy === 'save'} disabled={!!busy}>
                  保存草稿并自检
                </Button>
                <Button type="primary" onClick={onSubmit} loading={busy === 'submit'} disabled={!!busy} data-testid="submit-entry">
                  提交审核
                </Button>
              </>
            )}
            {entry && entry.status === 'published' && !entry.changeStatus && hasRole('dept_operator', 'data_admin') && <Button onClick={() => setChangeOpen(true)}>发起变更</Button>}
            {!editable && working?.state === 'submitted' && <Typography.Text type="secondary">已提交，等待数据局审核。</Typography.Text>}
          </Space>
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <div style={{ position: 'sticky', top: 16, display: 'grid', gap: 16 }}>
          {entry ? (
            <FindingsPanel findings={findings} checkedAt={working?.createdAt} />
          ) : (
            <Card size="small" title="合规自检">
              保存草稿后，平台逐字段检查：核心元数据、共享条件与依据、开放与分级、共享方式与格式、信息项类型与长度、来源系统、一数一源。
            </Card>
          )}
          {entry && (
            <Card size="small" title="目录信息">
              <Descriptions column={1} size="small">
                <Descriptions.Item label="提供部门">{entry.deptName}</Descriptions.Item>
                <Descriptions.Item label="当前版本">第 {entry.latestVersion} 版</Descriptions.Item>
                {entry.publishedVersion && <Descriptions.Item label="已发布版本">第 {entry.publishedVersion} 版</Descriptions.Item>}
                {working?.submittedAt && <Descriptions.Item label="提交时间">{new Date(working.submittedAt).toLocaleString('zh-CN')}</Descriptions.Item>}
                {entry.publishedAt && <Descriptions.Item label="发布时间">{new Date(entry.publishedAt).toLocaleString('zh-CN')}</Descriptions.Item>}
                {working?.changeReason && <Descriptions.Item label="变更原因">{working.changeReason}</Descriptions.Item>}
              </Descriptions>
            </Card>
          )}
        </div>
      </Col>
      <ChangeModal open={changeOpen} onCancel={() => setChangeOpen(false)} onOk={startChange} />
    </Row>
  );
}

function ItemsTable({ fi }: { fi: (name: (string | number)[]) => Partial<FormItemProps> }) {
  return (
    <Form.List name="items">
      {(fields, { add, remove }) => (
        <div role="group" aria-label="信息项列表">
          {fields.map((field, i) => (
            <Card key={field.key} size="small" style={{ marginBottom: 8, background: '#fafafa' }}>
              <Row gutter={8} align="top">
                <Col xs={24} md={6}>
                  <Form.Item label={`信息项 ${i + 1} 名称`} name={[field.name, 'name']} {...fi(['items', i, 'name'])} required>
                    <Input />
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item label="数据类型" name={[field.name, 'dataType']} {...fi(['items', i, 'dataType'])} required>
                    <Select options={options(DATA_ITEM_TYPES, true)} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={3}>
                  <Form.Item label="长度" name={[field.name, 'length']} {...fi(['items', i, 'length'])}>
                    <InputNumber min={1} max={1_000_000} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={3}>
                  <Form.Item label="个人信息" name={[field.name, 'personal']} valuePropName="checked" {...fi(['items', i, 'personal'])}>
                    <Checkbox>是</Checkbox>
                  </Form.Item>
                </Col>
                <Col xs={12} md={4}>
                  <Form.Item label="脱敏方式" name={[field.name, 'masking']} {...fi(['items', i, 'masking'])}>
                    <Select options={MASKS} allowClear placeholder="不脱敏" />
                  </Form.Item>
                </Col>
                <Col xs={24} md={4} style={{ textAlign: 'right' }}>
                  <Form.Item label=" " colon={false}>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={`删除信息项 ${i + 1}`} disabled={fields.length === 1}>
                      删除
                    </Button>
                  </Form.Item>
                </Col>
                <Col xs={24} md={8}>
                  <Form.Item label="说明" name={[field.name, 'description']}>
                    <Input />
                  </Form.Item>
                </Col>
                <Col xs={24} md={6}>
                  <Form.Item label="数据元代码" name={[field.name, 'dataElementCode']} {...fi(['items', i, 'dataElementCode'])} tooltip="一数一源：省略时按名称匹配">
                    <Input />
                  </Form.Item>
                </Col>
                <Col xs={24} md={10}>
                  <Form.Item label="重复采集理由" name={[field.name, 'duplicateJustification']} {...fi(['items', i, 'duplicateJustification'])} tooltip="该数据元的数源部门不是本部门时填写，进入数据局冲突清单">
                    <Input />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', dataType: 'C' })} block>
            添加信息项
          </Button>
        </div>
      )}
    </Form.List>
  );
}

function NewSystem({ onCreated }: { onCreated: (s: InfoSystem) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const create = async () => {
    try {
      onCreated(await api<InfoSystem>('/api/catalog/systems', { body: { name: name.trim() } }));
      setName('');
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div style={{ padding: 8, borderTop: '1px solid #f0f0f0' }}>
      <Space.Compact style={{ width: '100%' }}>
        <Input placeholder="登记新的信息系统" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.stopPropagation()} aria-label="新信息系统名称" />
        <Button onClick={create} disabled={name.trim().length < 2}>
          登记
        </Button>
      </Space.Compact>
      {error ? <ProblemAlert error={error} /> : null}
    </div>
  );
}

function ChangeModal({ open, onCancel, onOk }: { open: boolean; onCancel: () => void; onOk: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  return (
    <Modal title="发起目录变更" open={open} onCancel={onCancel} onOk={() => onOk(reason)} okButtonProps={{ disabled: reason.trim().length < 2 }} okText="创建新版本">
      <Typography.Paragraph type="secondary">变更将生成新版本，修改后需重新提交数据局审核；已发布版本在审核通过前继续有效。</Typography.Paragraph>
      <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="变更原因（职能、数据或系统发生变化）" aria-label="变更原因" />
    </Modal>
  );
}
