import { CommonErrors, DomainException, hashPassword, OutboxWriter, StaffPrincipal, TokenService, verifyPassword } from '@gov/shared';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Department } from '../organization/department.entity';
import { CreateStaffUserDto, StaffProfileDto, TokenResponseDto } from './dto/identity.dto';
import { StaffUser } from './staff-user.entity';

// Verified against when the username does not exist, so timing does not reveal which usernames exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

@Injectable()
export class IdentityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly outbox: OutboxWriter,
  ) {}

  async login(username: string, password: string): Promise<TokenResponseDto> {
    const user = await this.dataSource.getRepository(StaffUser).findOne({ where: { username } });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || !user.active) throw CommonErrors.unauthenticated({ zh: '用户名或密码错误', en: 'Wrong username or password' });
    const dept = await this.dataSource.getRepository(Department).findOneByOrFail({ id: user.deptId });
    const principal: StaffPrincipal = { kind: 'staff', userId: user.id, username: user.username, displayName: user.displayName, deptId: dept.id, deptName: dept.name, roles: user.roles };
    const { accessToken, expiresIn } = this.tokens.sign(principal);
    return { accessToken, tokenType: 'Bearer', expiresIn, user: this.profile(principal) };
  }

  profile(p: StaffPrincipal): StaffProfileDto {
    return { userId: p.userId, username: p.username, displayName: p.displayName, deptId: p.deptId, deptName: p.deptName, roles: p.roles };
  }

  create(dto: CreateStaffUserDto): Promise<StaffProfileDto> {
    return this.dataSource.transaction((m) => this.createIn(m, dto));
  }

  /** `passwordHash` lets a bulk import hash a shared initial password once. */
  async createIn(m: EntityManager, dto: CreateStaffUserDto, opts: { passwordHash?: string } = {}): Promise<StaffProfileDto> {
    const users = m.getRepository(StaffUser);
    if (await users.exist({ where: { username: dto.username } }))
      throw new DomainException('USERNAME_TAKEN', HttpStatus.CONFLICT, { zh: `用户名已被使用：${dto.username}`, en: `Username already taken: ${dto.username}` });
    const dept = await m.getRepository(Department).findOneBy({ id: dto.deptId });
    if (!dept) throw CommonErrors.notFound({ zh: '部门', en: 'Department' });
    const user = await users.save(
      users.create({ username: dto.username, displayName: dto.displayName, passwordHash: opts.passwordHash ?? (await hashPassword(dto.password)), deptId: dept.id, roles: dto.roles }),
    );
    await this.outbox.add(m, 'org.user.created', { userId: user.id, username: user.username, displayName: user.displayName, deptId: dept.id, roles: user.roles });
    return { userId: user.id, username: user.username, displayName: user.displayName, deptId: dept.id, deptName: dept.name, roles: user.roles };
  }
}
